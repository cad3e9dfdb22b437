using System.Diagnostics.CodeAnalysis;

namespace Kastell.Authorization.Engine;

/// <summary>
/// One type of a compiled model: its relations, looked up by name or by a span of a request string (so Check resolves
/// <c>document:readme</c> without cutting out <c>document</c>), and its interned wildcard <c>type:*</c>.
/// </summary>
internal sealed class CompiledType
{
    private readonly Dictionary<string, CompiledRelation>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public CompiledType(string name, Dictionary<string, CompiledRelation> relations)
    {
        // Pooled, like relation names: parsed tuple users then share these instances (see ModelNames).
        Name = ModelNames.Intern(name);
        Wildcard = ModelNames.Intern(name + ":*");
        Relations = relations;
        _bySpan = relations.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string Name { get; }

    public string Wildcard { get; }

    /// <summary>By name, ordinal.</summary>
    public Dictionary<string, CompiledRelation> Relations { get; }

    public bool TryGetRelation(ReadOnlySpan<char> name, [NotNullWhen(true)] out CompiledRelation? relation) =>
        _bySpan.TryGetValue(name, out relation);
}
