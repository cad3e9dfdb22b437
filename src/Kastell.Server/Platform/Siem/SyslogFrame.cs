using System.Globalization;
using System.Text;
using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Platform.Siem;

/// <summary>
/// One audit event as an RFC 5424 syslog message in an RFC 6587/5425 octet-counted frame:
/// <c>LEN SP &lt;PRI&gt;1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG</c>. Octet counting lets the
/// body contain any byte, so nothing in an event can forge a second message.
/// </summary>
public static class SyslogFrame
{
    /// <summary>Facility 13, "log audit" (RFC 5424 table 1).</summary>
    private const int FacilityLogAudit = 13;

    private const string AppName = "kastell";

    public static string Message(AuditEvent e, string hostName, string body)
    {
        var priority = (FacilityLogAudit * 8) + Severity(e.Outcome);
        var timestamp = e.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        return $"<{priority}>1 {timestamp} {Header(hostName, 255)} {AppName} - {Header(e.Type.ToString(), 32)} - {body}";
    }

    /// <summary>Appends <c>LEN SP MESSAGE</c> (LEN counts the UTF-8 bytes of the message).</summary>
    public static void AppendFrame(Stream frames, string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        frames.Write(Encoding.ASCII.GetBytes(bytes.Length.ToString(CultureInfo.InvariantCulture) + " "));
        frames.Write(bytes);
    }

    /// <summary>Notice for what went through, warning for failures and denials (RFC 5424 severities 5 and 4).</summary>
    private static int Severity(AuditOutcome outcome) => outcome == AuditOutcome.Succeeded ? 5 : 4;

    /// <summary>Header fields are printable US-ASCII without spaces (PRINTUSASCII, 33..126), "-" when empty.</summary>
    private static string Header(string value, int maxLength)
    {
        var builder = new StringBuilder(Math.Min(value.Length, maxLength));
        foreach (var c in value)
        {
            if (builder.Length == maxLength)
            {
                break;
            }

            builder.Append(c is >= '!' and <= '~' ? c : '_');
        }

        return builder.Length == 0 ? "-" : builder.ToString();
    }
}
