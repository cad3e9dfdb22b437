using Kastell.Authorization.Conditions.Cel;
using Kastell.Authorization.Model;

namespace Kastell.Authorization.Conditions;

/// <summary>Maps OpenFGA's condition parameter types to CEL types.</summary>
internal static class ParameterTypes
{
    public static CelType ToCelType(ConditionParameterType type) => type.TypeName switch
    {
        ConditionTypeName.Any => NoGenerics(type, CelType.Dyn),
        ConditionTypeName.Bool => NoGenerics(type, CelType.Bool),
        ConditionTypeName.String => NoGenerics(type, CelType.String),
        ConditionTypeName.Int => NoGenerics(type, CelType.Int),
        ConditionTypeName.Uint => NoGenerics(type, CelType.Uint),
        ConditionTypeName.Double => NoGenerics(type, CelType.Double),
        ConditionTypeName.Duration => NoGenerics(type, CelType.Duration),
        ConditionTypeName.Timestamp => NoGenerics(type, CelType.Timestamp),
        ConditionTypeName.IpAddress => NoGenerics(type, CelType.IpAddress),
        ConditionTypeName.List => CelType.ListOf(ToCelType(SingleGeneric(type))),
        ConditionTypeName.Map => CelType.MapOf(CelType.String, ToCelType(SingleGeneric(type))),
        _ => throw new ConditionException($"unsupported parameter type '{type.TypeName}'"),
    };

    private static string Name(ConditionTypeName name) => name == ConditionTypeName.IpAddress ? "ipaddress" : name.ToString().ToLowerInvariant();

    private static CelType NoGenerics(ConditionParameterType type, CelType cel) => type.GenericTypes.Count == 0
        ? cel
        : throw new ConditionException($"type '{Name(type.TypeName)}' takes no generic types; found {type.GenericTypes.Count}");

    private static ConditionParameterType SingleGeneric(ConditionParameterType type) => type.GenericTypes.Count == 1
        ? type.GenericTypes[0]
        : throw new ConditionException($"type '{Name(type.TypeName)}' requires 1 generic type; found {type.GenericTypes.Count}");
}
