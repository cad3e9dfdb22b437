using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Kastell.Server.Platform.Observability;

/// <summary>
/// Kastell's own trace source and meter for background jobs and authorization decisions (requests are traced by the
/// ASP.NET Core instrumentation). Recorded always, exported only when OpenTelemetry is configured.
/// </summary>
public static class KastellTelemetry
{
    public const string Name = "Kastell";

    public static readonly ActivitySource Jobs = new(Name);

    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> SiemForwarded = Meter.CreateCounter<long>("kastell.siem.events_forwarded", "{event}", "Audit events delivered to the SIEM.");

    public static readonly Counter<long> SiemFailures = Meter.CreateCounter<long>("kastell.siem.failures", "{failure}", "Failed attempts to reach the SIEM.");

    /// <summary>
    /// Time in the authorization engine per question of <c>Permissions</c> (a check, a list, an explanation), tuple reads
    /// included, tagged with the operation: the share of a request's time spent deciding access (bench/README.md, the
    /// file list benchmark, divides it by <c>http.server.request.duration</c>).
    /// </summary>
    public static readonly Histogram<double> AuthorizationDuration = Meter.CreateHistogram<double>(
        "kastell.authorization.duration", "ms", "Time spent deciding access per question to the authorization engine, tuple reads included.");

    public static readonly Counter<long> EmailsSent = Meter.CreateCounter<long>("kastell.email.sent", "{message}", "E-mails the mail server (or the pickup folder) accepted.");

    public static readonly Counter<long> EmailFailures = Meter.CreateCounter<long>("kastell.email.failures", "{failure}", "Failed attempts to send an e-mail.");

    public static readonly Counter<long> EmailsDeadLettered = Meter.CreateCounter<long>("kastell.email.dead_lettered", "{message}", "E-mails given up on (refused for good or out of attempts).");
}
