namespace Kastell.Server.Platform.Audit;

/// <summary>
/// Endpoint metadata: "this GET endpoint changes no state, so it writes no audit event". The audit coverage test
/// demands an exercise with expected events for every GET endpoint without it, because GETs can change state too
/// (a confirmation link, a session handoff). Claiming it for an endpoint that does change state is a review finding.
/// </summary>
public sealed class ReadOnlyEndpoint
{
    public static readonly ReadOnlyEndpoint Instance = new();

    private ReadOnlyEndpoint()
    {
    }
}

public static class ReadOnlyEndpointExtensions
{
    /// <summary>Declares the endpoint(s) read-only (<see cref="ReadOnlyEndpoint"/>).</summary>
    public static TBuilder ReadOnly<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(ReadOnlyEndpoint.Instance);
}
