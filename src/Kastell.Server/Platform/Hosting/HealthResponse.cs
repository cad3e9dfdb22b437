using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Kastell.Server.Platform.Hosting;

/// <summary>
/// The readiness answer as JSON: the overall status and each check's status and short description, so an operator
/// (or a probe's log) sees which part is degraded — the malware scanner, say — and not only that something is. The
/// descriptions are fixed texts: no host names, paths, exception messages or credentials.
/// </summary>
internal static class HealthResponse
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new
            {
                name = e.Key,
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
