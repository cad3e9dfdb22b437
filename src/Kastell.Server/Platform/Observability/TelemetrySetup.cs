using Kastell.Server.Platform.Hosting;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Kastell.Server.Platform.Observability;

/// <summary>
/// OpenTelemetry for requests (ASP.NET Core), outgoing HTTP calls, and Kastell's background jobs
/// (<see cref="KastellTelemetry"/>), exported over OTLP. Nothing is registered unless enabled. Request query values
/// are redacted by the ASP.NET Core instrumentation's default; log records carry the formatted message and the
/// template's parameters, which is why nothing in Kastell logs a secret (a test seeds secrets and scans all output).
/// </summary>
internal static class TelemetrySetup
{
    public static void AddKastellTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddKastellOptions<TelemetryOptions, TelemetryOptionsValidator>(builder.Configuration, TelemetryOptions.Section);
        // The exporters are registered or not, so the settings are read before the container exists.
        var telemetry = builder.Configuration.ReadKastellOptions<TelemetryOptions, TelemetryOptionsValidator>(TelemetryOptions.Section);
        if (!telemetry.Enabled)
        {
            return;
        }

        var endpoint = new Uri(telemetry.OtlpEndpoint!);
        var protocol = telemetry.OtlpProtocol == OtlpTransport.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        void Otlp(OtlpExporterOptions o, string signalPath)
        {
            // With HTTP each signal has its own path under the base address; gRPC takes the address as it is.
            o.Endpoint = protocol == OtlpExportProtocol.HttpProtobuf ? new Uri(endpoint, signalPath) : endpoint;
            o.Protocol = protocol;
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(telemetry.ServiceName, serviceVersion: typeof(TelemetrySetup).Assembly.GetName().Version?.ToString()))
            .WithTracing(t => t
                .AddSource(KastellTelemetry.Name)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter(o => Otlp(o, "v1/traces")))
            .WithMetrics(m => m
                .AddMeter(KastellTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddOtlpExporter(o => Otlp(o, "v1/metrics")))
            .WithLogging(
                l => l.AddOtlpExporter(o => Otlp(o, "v1/logs")),
                o =>
                {
                    o.IncludeFormattedMessage = true;
                    o.IncludeScopes = true;
                });
    }
}
