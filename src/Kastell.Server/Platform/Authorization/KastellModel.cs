using System.Reflection;
using Kastell.Authorization.Conditions;
using Kastell.Authorization.Engine;
using Kastell.Authorization.Language;
using Kastell.Authorization.Storage;

namespace Kastell.Server.Platform.Authorization;

/// <summary>
/// Kastell's authorization model: <c>fga.mod</c> and the module files it lists (the platform's <c>tenancy.fga</c> and one
/// per feature, each in its folder), embedded in the assembly and combined once at start-up. An invalid model stops
/// Kastell with every error's file, line and column; so does a module file in the assembly that <c>fga.mod</c> forgot.
/// </summary>
public sealed class KastellModel
{
    internal const string ResourcePrefix = "Kastell.Model/";

    private readonly AuthorizationEngine _prototype;

    public KastellModel()
        : this(typeof(KastellModel).Assembly)
    {
    }

    internal KastellModel(Assembly assembly)
    {
        var model = Combine(Read(assembly).Modules);
        // The store given here is never read: every request gets an engine over its own tenant's tuples.
        _prototype = new AuthorizationEngine(model, new InMemoryTupleStore(), new CelConditionEvaluator());
        LinkRelations = RequestTupleReads.LinksOf(model);
    }

    /// <summary>The relations each type follows as a tupleset, for reading whole objects (<see cref="RequestTupleReads"/>).</summary>
    internal IReadOnlyDictionary<string, string[]> LinkRelations { get; }

    /// <summary>An engine over <paramref name="tuples"/> sharing the compiled model.</summary>
    public AuthorizationEngine Over(ITupleStore tuples) => _prototype.WithTuples(tuples);

    /// <summary>
    /// An engine for access reviews ("who has access, and why"): it lists everyone, so its lists may hold more and take
    /// longer than those of a request's own decisions; the limits stay, so a huge organization still gets an answer
    /// (marked truncated) rather than a hung page.
    /// </summary>
    public AuthorizationEngine ForReview(ITupleStore tuples) => _prototype.WithTuples(tuples, ReviewOptions);

    private static readonly AuthorizationEngineOptions ReviewOptions = new()
    {
        ListTimeout = TimeSpan.FromSeconds(20),
        ListObjectsMaxResults = 10_000,
        ListUsersMaxResults = 10_000,
    };

    public Kastell.Authorization.Model.AuthorizationModel Model => _prototype.Model;

    /// <summary>The manifest and the module files, as embedded: (path, text).</summary>
    internal static (string Manifest, IReadOnlyList<ModuleFile> Modules) Read(Assembly assembly)
    {
        var names = assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var manifestText = Text(assembly, ResourcePrefix + "fga.mod")
            ?? throw new InvalidOperationException("The authorization model's fga.mod is not embedded in the assembly.");
        var (manifest, manifestErrors) = FgaModFile.Parse(manifestText);
        if (manifest is null)
        {
            throw Invalid(manifestErrors.Select(e => e with { File = "fga.mod" }));
        }

        var listed = manifest.Contents.Value.Select(c => c.Value).ToList();
        var unlisted = names.Select(n => n[ResourcePrefix.Length..]).Where(n => n.EndsWith(".fga", StringComparison.Ordinal) && !listed.Contains(n)).Order(StringComparer.Ordinal).ToList();
        if (unlisted.Count > 0)
        {
            throw new InvalidOperationException($"Authorization model: fga.mod does not list {string.Join(", ", unlisted)}; add each module file to its contents.");
        }

        var modules = listed.Select(path => new ModuleFile(path, Text(assembly, ResourcePrefix + path)
            ?? throw new InvalidOperationException($"Authorization model: fga.mod lists {path}, which is not in the assembly."))).ToList();
        return (manifestText, modules);
    }

    internal static Kastell.Authorization.Model.AuthorizationModel Combine(IReadOnlyList<ModuleFile> modules)
    {
        var combined = ModularModel.Combine(modules);
        return combined.IsValid ? combined.Model! : throw Invalid(combined.Errors);
    }

    private static InvalidOperationException Invalid(IEnumerable<ModelError> errors) =>
        new("The authorization model is invalid:" + string.Concat(errors.Select(e => $"{Environment.NewLine}  {e.File}:{e.LineStart + 1}:{e.ColumnStart + 1}: {e.Message}")));

    private static string? Text(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name);
        return stream is null ? null : new StreamReader(stream).ReadToEnd();
    }
}
