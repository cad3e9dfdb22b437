using System.Collections.Concurrent;

namespace Kastell.Authorization.Engine;

/// <summary>
/// One shared instance per type, relation and subject-kind name of the compiled models. Parsed tuple users take these
/// instances (<see cref="TupleParts.Shared"/>), so Check reads one cache-resident string per name instead of a copy per
/// stored tuple. A pool of its own rather than <c>string.Intern</c>: the runtime's intern table sits behind one
/// process-wide lock, and parsing runs on every write, contextual tuple and ListUsers candidate; reads here take none.
/// Only model names enter (never request or tuple input), so the pool grows with the models compiled, not with traffic.
/// </summary>
internal static class ModelNames
{
    private static readonly ConcurrentDictionary<string, string> Pool = new(StringComparer.Ordinal);

    /// <summary>The pool's instance of a model name, adding it if new.</summary>
    public static string Intern(string name) => Pool.GetOrAdd(name, name);

    /// <summary>The pool's instance if a model named it; otherwise the string itself.</summary>
    public static string Shared(string name) => Pool.TryGetValue(name, out var shared) ? shared : name;
}
