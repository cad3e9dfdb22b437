using Kastell.Server.Platform.Hosting;

namespace Kastell.Server.Platform.Observability;

public enum OtlpTransport
{
    Grpc,
    HttpProtobuf,
}

/// <summary><c>Kastell:Telemetry</c>: OpenTelemetry traces, metrics and logs exported over OTLP. Off by default.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Kastell:Telemetry";

    public bool Enabled { get; set; }

    /// <summary>The collector, e.g. <c>http://otel-collector:4317</c> (gRPC) or <c>…:4318</c> (HTTP). Required when enabled.</summary>
    public string? OtlpEndpoint { get; set; }

    public OtlpTransport OtlpProtocol { get; set; } = OtlpTransport.Grpc;

    /// <summary>The <c>service.name</c> resource attribute.</summary>
    public string ServiceName { get; set; } = "kastell";
}

/// <summary>Checked only while telemetry is on: switched off, none of these settings is used.</summary>
internal sealed class TelemetryOptionsValidator : OptionsRules<TelemetryOptions>
{
    public override IEnumerable<string> Problems(TelemetryOptions telemetry)
    {
        if (!telemetry.Enabled)
        {
            yield break;
        }

        if (!Uri.TryCreate(telemetry.OtlpEndpoint, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            yield return "Kastell:Telemetry:OtlpEndpoint must be an absolute http or https URL.";
        }

        if (!Enum.IsDefined(telemetry.OtlpProtocol))
        {
            yield return OptionMessages.OneOf("Kastell:Telemetry:OtlpProtocol", typeof(OtlpTransport));
        }

        if (string.IsNullOrWhiteSpace(telemetry.ServiceName))
        {
            yield return "Kastell:Telemetry:ServiceName must not be empty.";
        }
    }
}
