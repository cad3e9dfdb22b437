using System.Text.Json;

namespace Kastell.Authorization.Storage.EntityFramework;

/// <summary>Condition contexts as JSON, read back into the JSON-like values the condition evaluator expects.</summary>
internal static class ConditionContextJson
{
    public static string? Write(IReadOnlyDictionary<string, object?>? context) =>
        context is null ? null : JsonSerializer.Serialize(context);

    public static IReadOnlyDictionary<string, object?>? Read(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return (IReadOnlyDictionary<string, object?>?)Convert(document.RootElement);
    }

    private static object? Convert(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => Convert(p.Value), StringComparer.Ordinal),
        JsonValueKind.Array => element.EnumerateArray().Select(Convert).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
