using Kastell.Authorization.Model;

namespace Kastell.Authorization.Language;

/// <summary>Spellings of <see cref="ConditionTypeName"/> in the DSL (<c>int</c>) and in JSON (<c>TYPE_NAME_INT</c>).</summary>
internal static class ConditionTypeNames
{
    private static readonly (ConditionTypeName Name, string Dsl, string Json)[] All =
    [
        (ConditionTypeName.Unspecified, "unspecified", "TYPE_NAME_UNSPECIFIED"),
        (ConditionTypeName.Any, "any", "TYPE_NAME_ANY"),
        (ConditionTypeName.Bool, "bool", "TYPE_NAME_BOOL"),
        (ConditionTypeName.String, "string", "TYPE_NAME_STRING"),
        (ConditionTypeName.Int, "int", "TYPE_NAME_INT"),
        (ConditionTypeName.Uint, "uint", "TYPE_NAME_UINT"),
        (ConditionTypeName.Double, "double", "TYPE_NAME_DOUBLE"),
        (ConditionTypeName.Duration, "duration", "TYPE_NAME_DURATION"),
        (ConditionTypeName.Timestamp, "timestamp", "TYPE_NAME_TIMESTAMP"),
        (ConditionTypeName.Map, "map", "TYPE_NAME_MAP"),
        (ConditionTypeName.List, "list", "TYPE_NAME_LIST"),
        (ConditionTypeName.IpAddress, "ipaddress", "TYPE_NAME_IPADDRESS"),
    ];

    public static ConditionTypeName FromDsl(string text) => All.First(t => t.Dsl == text).Name;

    public static string ToDsl(ConditionTypeName name) => All.First(t => t.Name == name).Dsl;

    public static string ToJson(ConditionTypeName name) => All.First(t => t.Name == name).Json;

    public static ConditionTypeName? FromJson(string text) => All.Where(t => t.Json == text).Select(t => (ConditionTypeName?)t.Name).FirstOrDefault();

    public static string ToDsl(ConditionParameterType type) => type.GenericTypes.Count == 0
        ? ToDsl(type.TypeName)
        : $"{ToDsl(type.TypeName)}<{string.Join(", ", type.GenericTypes.Select(ToDsl))}>";
}
