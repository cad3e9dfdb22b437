namespace Kastell.Server.Platform.Observability;

public enum OtlpTransport
{
    Grpc,
    HttpProtobuf,
}

/// <summary><c>Kastell:Telemetry</c>: OpenTelemetry traces, metrics and logs exported over OTLP. Off by default.</summary>
public sealed class TelemetryOptions
{
    public bool Enabled { get; set; }

    /// <summary>The collector, e.g. <c>http://otel-collector:4317</c> (gRPC) or <c>…:4318</c> (HTTP). Required when enabled.</summary>
    public string? OtlpEndpoint { get; set; }

    public OtlpTransport OtlpProtocol { get; set; } = OtlpTransport.Grpc;

    /// <summary>The <c>service.name</c> resource attribute.</summary>
    public string ServiceName { get; set; } = "kastell";
}
