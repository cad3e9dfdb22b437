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
}
