using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Kastell.Server.Platform.Observability;

/// <summary>
/// Kastell's own trace source and meter for background jobs (requests are traced by the ASP.NET Core
/// instrumentation). Recorded always, exported only when OpenTelemetry is configured.
/// </summary>
public static class KastellTelemetry
{
    public const string Name = "Kastell";

    public static readonly ActivitySource Jobs = new(Name);

    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> SiemForwarded = Meter.CreateCounter<long>("kastell.siem.events_forwarded", "{event}", "Audit events delivered to the SIEM.");

    public static readonly Counter<long> SiemFailures = Meter.CreateCounter<long>("kastell.siem.failures", "{failure}", "Failed attempts to reach the SIEM.");

    public static readonly Counter<long> EmailsSent = Meter.CreateCounter<long>("kastell.email.sent", "{message}", "E-mails the mail server (or the pickup folder) accepted.");

    public static readonly Counter<long> EmailFailures = Meter.CreateCounter<long>("kastell.email.failures", "{failure}", "Failed attempts to send an e-mail.");

    public static readonly Counter<long> EmailsDeadLettered = Meter.CreateCounter<long>("kastell.email.dead_lettered", "{message}", "E-mails given up on (refused for good or out of attempts).");
}
