namespace Kastell.Authorization.Engine;

/// <summary>One level of a relation's userset tree, as OpenFGA's Expand returns it. <see cref="Name"/> is <c>object#relation</c>.</summary>
public abstract record ExpandNode(string Name);

/// <summary>Users assigned directly (objects, wildcards and usersets, as written).</summary>
public sealed record ExpandUsers(string Name, IReadOnlyList<string> Users) : ExpandNode(Name);

/// <summary>The users of another relation of the same object (<c>document:1#editor</c>).</summary>
public sealed record ExpandComputed(string Name, string Userset) : ExpandNode(Name);

/// <summary>The <c>computed</c> usersets of every object related through <see cref="Tupleset"/> (<c>folder:x#viewer</c>).</summary>
public sealed record ExpandTupleToUserset(string Name, string Tupleset, IReadOnlyList<string> Computed) : ExpandNode(Name);

public sealed record ExpandUnion(string Name, IReadOnlyList<ExpandNode> Nodes) : ExpandNode(Name);

public sealed record ExpandIntersection(string Name, IReadOnlyList<ExpandNode> Nodes) : ExpandNode(Name);

public sealed record ExpandDifference(string Name, ExpandNode Base, ExpandNode Subtract) : ExpandNode(Name);
