namespace Kastell.Authorization.Model;

/// <summary>
/// A typed OpenFGA authorization model (schema 1.1). Produced by the DSL parser or read from OpenFGA's JSON format;
/// the engine only ever sees this shape.
/// </summary>
/// <remarks>Shared by parser, engine and conditions: only add optional members, never rename.</remarks>
public sealed record AuthorizationModel(
    string SchemaVersion,
    IReadOnlyList<TypeDefinition> TypeDefinitions,
    IReadOnlyDictionary<string, ConditionDefinition> Conditions)
{
    /// <summary>OpenFGA's model id (a ULID) when the model came from a store; null for a freshly parsed model.</summary>
    public string? Id { get; init; }

    public TypeDefinition? FindType(string name) => TypeDefinitions.FirstOrDefault(t => t.Name == name);
}

/// <summary>One <c>type</c> block: its relations in declaration order.</summary>
public sealed record TypeDefinition(string Name, IReadOnlyList<RelationDefinition> Relations)
{
    /// <summary>Module and source file when the type came from a modular model (fga.mod).</summary>
    public SourceInfo? Source { get; init; }

    public RelationDefinition? FindRelation(string name) => Relations.FirstOrDefault(r => r.Name == name);
}

/// <summary>
/// A relation: its rewrite (how it is computed) and, when the rewrite contains <see cref="This"/>, the user types that
/// may be written directly (<c>[user, group#member, user:*, user with cond]</c>).
/// </summary>
public sealed record RelationDefinition(
    string Name,
    Userset Rewrite,
    IReadOnlyList<RelationReference> DirectlyRelatedUserTypes)
{
    public SourceInfo? Source { get; init; }
}

/// <summary>An entry of a direct type restriction: <c>user</c>, <c>group#member</c>, <c>user:*</c>, optionally <c>with cond</c>.</summary>
public sealed record RelationReference(string Type, string? Relation = null, bool Wildcard = false, string? Condition = null);

/// <summary>Where a definition came from in a modular model.</summary>
public sealed record SourceInfo(string? Module, string? File);

/// <summary>A relation rewrite, as OpenFGA's <c>Userset</c> message.</summary>
public abstract record Userset;

/// <summary>Directly assigned users (<c>[...]</c> in the DSL, <c>this</c> in JSON).</summary>
public sealed record This : Userset
{
    public static readonly This Instance = new();
}

/// <summary>Another relation on the same object (<c>viewer: editor</c>).</summary>
public sealed record ComputedUserset(string Relation) : Userset;

/// <summary><c>relation from tupleset</c>: follow the objects related through <paramref name="Tupleset"/> and evaluate <paramref name="ComputedRelation"/> on them.</summary>
public sealed record TupleToUserset(string Tupleset, string ComputedRelation) : Userset;

public sealed record Union(IReadOnlyList<Userset> Children) : Userset;

public sealed record Intersection(IReadOnlyList<Userset> Children) : Userset;

/// <summary><c>base but not subtract</c>.</summary>
public sealed record Difference(Userset Base, Userset Subtract) : Userset;

/// <summary>A named CEL condition with typed parameters.</summary>
public sealed record ConditionDefinition(
    string Name,
    string Expression,
    IReadOnlyDictionary<string, ConditionParameterType> Parameters)
{
    public SourceInfo? Source { get; init; }
}

/// <summary>A condition parameter type such as <c>int</c>, <c>list&lt;string&gt;</c> or <c>map&lt;timestamp&gt;</c>.</summary>
public sealed record ConditionParameterType(ConditionTypeName TypeName, IReadOnlyList<ConditionParameterType> GenericTypes)
{
    public static ConditionParameterType Of(ConditionTypeName name) => new(name, []);
}

/// <summary>OpenFGA's <c>TypeName</c> enum (JSON names <c>TYPE_NAME_INT</c> and so on).</summary>
public enum ConditionTypeName
{
    Unspecified = 0,
    Any = 1,
    Bool = 2,
    String = 3,
    Int = 4,
    Uint = 5,
    Double = 6,
    Duration = 7,
    Timestamp = 8,
    Map = 9,
    List = 10,
    IpAddress = 11,
}
