using System.Globalization;
using System.Text;
using System.Text.Json;
using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Features.AuditTrail.Export;

internal enum AuditExportFormat
{
    Csv,
    JsonLines,
}

/// <summary>
/// Writes audit events as CSV (RFC 4180) or JSON lines. Both carry the sequence numbers and hashes, so an export can
/// be checked against the chain later. CSV cells that a spreadsheet would run as a formula are defused (OWASP
/// "CSV injection"): actors, targets, user agents and details can hold text an attacker typed.
/// </summary>
internal static class AuditExportWriter
{
    private static readonly string[] Columns =
    [
        "sequence", "occurredAt", "type", "typeId", "outcome", "actorKind", "actorId", "spaceId", "targetType", "targetId",
        "clientIp", "userAgent", "correlationId", "details", "previousHash", "hash",
    ];

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static string ContentType(AuditExportFormat format) =>
        format == AuditExportFormat.Csv ? "text/csv; charset=utf-8" : "application/jsonl; charset=utf-8";

    public static string Extension(AuditExportFormat format) => format == AuditExportFormat.Csv ? "csv" : "jsonl";

    public static async Task<long> WriteAsync(AuditExportFormat format, IAsyncEnumerable<AuditEvent> events, Stream output, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true) { NewLine = format == AuditExportFormat.Csv ? "\r\n" : "\n" };
        if (format == AuditExportFormat.Csv)
        {
            await writer.WriteLineAsync(string.Join(',', Columns));
        }

        long count = 0;
        await foreach (var e in events.WithCancellation(cancellationToken))
        {
            await writer.WriteLineAsync(format == AuditExportFormat.Csv ? CsvLine(e) : JsonSerializer.Serialize(Record(e), Json));
            count++;
        }

        await writer.FlushAsync(cancellationToken);
        return count;
    }

    /// <summary>One CSV cell: quoted, quotes doubled, and a leading formula character neutralised with an apostrophe.</summary>
    public static string Cell(string? value)
    {
        value ??= "";
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' or '\n' or '|' or '%')
        {
            value = "'" + value;
        }

        return "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    private static string CsvLine(AuditEvent e) => string.Join(',', Values(e).Select(Cell));

    private static IEnumerable<string?> Values(AuditEvent e) =>
    [
        e.Sequence.ToString(CultureInfo.InvariantCulture),
        e.OccurredAt.ToString("O", CultureInfo.InvariantCulture),
        e.Type.ToString(),
        (e.Type.Value).ToString(CultureInfo.InvariantCulture),
        e.Outcome.ToString(),
        e.ActorKind.ToString(),
        e.ActorId,
        e.SpaceId?.ToString(),
        e.TargetType,
        e.TargetId,
        e.ClientIp,
        e.UserAgent,
        e.CorrelationId,
        e.Details,
        e.PreviousHash,
        e.Hash,
    ];

    /// <summary>One event as the JSON export (and the API) shows it, hashes included.</summary>
    internal static Dictionary<string, object?> Record(AuditEvent e) => new()
    {
        ["sequence"] = e.Sequence,
        ["occurredAt"] = e.OccurredAt,
        ["type"] = e.Type.ToString(),
        ["typeId"] = e.Type.Value,
        ["outcome"] = e.Outcome.ToString(),
        ["actorKind"] = e.ActorKind.ToString(),
        ["actorId"] = e.ActorId,
        ["spaceId"] = e.SpaceId,
        ["targetType"] = e.TargetType,
        ["targetId"] = e.TargetId,
        ["clientIp"] = e.ClientIp,
        ["userAgent"] = e.UserAgent,
        ["correlationId"] = e.CorrelationId,
        // Already a JSON object of strings: embedded as an object, not as an escaped string.
        ["details"] = AuditDetailsJson.Parse(e.Details),
        ["previousHash"] = e.PreviousHash,
        ["hash"] = e.Hash,
    };
}
