namespace Kastell.Authorization.Language;

/// <summary>The model is valid JSON but a relation nests direct assignment where the DSL cannot express it.</summary>
public sealed class UnsupportedDslNestingException(string typeName, string relationName)
    : Exception($"the '{relationName}' relation definition under the '{typeName}' type is not supported by the OpenFGA DSL syntax yet")
{
    public string TypeName { get; } = typeName;

    public string RelationName { get; } = relationName;
}
