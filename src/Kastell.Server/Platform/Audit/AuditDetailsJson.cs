using System.Text.Json;

namespace Kastell.Server.Platform.Audit;

internal static class AuditDetailsJson
{
    /// <summary>
    /// The stored details for embedding in JSON: Kastell writes an object of strings, which stays an object; a row that
    /// is not valid JSON (tampered with) goes out as a string instead of breaking an export or a SIEM batch halfway.
    /// </summary>
    public static object? Parse(string? details)
    {
        if (details is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(details);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return details;
        }
    }
}
