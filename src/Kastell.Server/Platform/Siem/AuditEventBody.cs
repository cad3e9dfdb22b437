using System.Globalization;
using System.Text;
using System.Text.Json;
using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Platform.Siem;

/// <summary>The message body of a forwarded event, as JSON or CEF. Both carry the chain position and hash, so a SIEM can spot gaps.</summary>
public static class AuditEventBody
{
    public static string Format(AuditEvent e, SiemFormat format) => format switch
    {
        SiemFormat.Json => Json(e),
        SiemFormat.Cef => Cef(e),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>One JSON object; the writer escapes quotes, control characters and non-ASCII, so the text stays one line.</summary>
    public static string Json(AuditEvent e)
    {
        using var buffer = new MemoryStream(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", e.Id);
            json.WriteString("organizationId", e.OrganizationId?.ToString("D"));
            json.WriteNumber("sequence", e.Sequence);
            json.WriteString("occurredAt", e.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteNumber("typeId", e.Type.Value);
            json.WriteString("type", e.Type.ToString());
            json.WriteString("outcome", e.Outcome.ToString());
            json.WriteString("actorKind", e.ActorKind.ToString());
            json.WriteString("actorId", e.ActorId);
            json.WriteString("spaceId", e.SpaceId?.ToString("D"));
            json.WriteString("targetType", e.TargetType);
            json.WriteString("targetId", e.TargetId);
            json.WriteString("clientIp", e.ClientIp);
            json.WriteString("userAgent", e.UserAgent);
            json.WriteString("correlationId", e.CorrelationId);
            json.WritePropertyName("details");
            WriteDetails(json, e.Details);
            json.WriteString("hash", e.Hash);
            json.WriteString("previousHash", e.PreviousHash);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>
    /// <c>CEF:0|Kastell|Kastell|1|typeId|type|severity|extensions</c>. Header fields escape <c>\</c> and <c>|</c>;
    /// extension values escape <c>\</c>, <c>=</c> and line breaks (CEF specification, "Character encoding").
    /// </summary>
    public static string Cef(AuditEvent e)
    {
        var text = new StringBuilder(512);
        text.Append("CEF:0|Kastell|Kastell|1|")
            .Append(CefHeader((e.Type.Value).ToString(CultureInfo.InvariantCulture))).Append('|')
            .Append(CefHeader(e.Type.ToString())).Append('|')
            .Append(CefSeverity(e.Outcome).ToString(CultureInfo.InvariantCulture)).Append('|');
        var first = true;
        void Add(string key, string? value)
        {
            if (value is null)
            {
                return;
            }

            text.Append(first ? "" : " ").Append(key).Append('=').Append(CefValue(value));
            first = false;
        }

        Add("rt", e.OccurredAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        Add("externalId", e.Id.ToString("D"));
        Add("act", e.Type.ToString());
        Add("outcome", e.Outcome.ToString());
        Add("suid", e.ActorId);
        Add("src", e.ClientIp);
        Add("requestClientApplication", e.UserAgent);
        Add("cs1Label", "organizationId");
        Add("cs1", e.OrganizationId?.ToString("D"));
        Add("cs2Label", "spaceId");
        Add("cs2", e.SpaceId?.ToString("D"));
        Add("cs3Label", "targetType");
        Add("cs3", e.TargetType);
        Add("cs4Label", "targetId");
        Add("cs4", e.TargetId);
        Add("cs5Label", "actorKind");
        Add("cs5", e.ActorKind.ToString());
        Add("cs6Label", "hash");
        Add("cs6", e.Hash);
        Add("cn1Label", "sequence");
        Add("cn1", e.Sequence.ToString(CultureInfo.InvariantCulture));
        Add("flexString1Label", "correlationId");
        Add("flexString1", e.CorrelationId);
        Add("msg", e.Details);
        return text.ToString();
    }

    public static string CefHeader(string value)
    {
        var text = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => text.Append(@"\\"),
                '|' => text.Append(@"\|"),
                '\r' or '\n' => text.Append(' '), // header fields cannot carry line breaks
                _ => text.Append(c),
            };
        }

        return text.ToString();
    }

    public static string CefValue(string value)
    {
        var text = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => text.Append(@"\\"),
                '=' => text.Append(@"\="),
                '\n' => text.Append(@"\n"),
                '\r' => text.Append(@"\r"),
                _ => text.Append(c),
            };
        }

        return text.ToString();
    }

    /// <summary>CEF severity 0..10: routine successes low, failures and denials higher.</summary>
    private static int CefSeverity(AuditOutcome outcome) => outcome switch
    {
        AuditOutcome.Succeeded => 3,
        AuditOutcome.Failed => 6,
        _ => 7,
    };

    private static void WriteDetails(Utf8JsonWriter json, string? details) =>
        JsonSerializer.Serialize(json, AuditDetailsJson.Parse(details));
}
