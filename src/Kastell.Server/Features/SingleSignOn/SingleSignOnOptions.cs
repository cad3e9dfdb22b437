using Kastell.Server.Platform.Hosting;

namespace Kastell.Server.Features.SingleSignOn;

/// <summary><c>Kastell:SingleSignOn</c>.</summary>
public sealed class SingleSignOnOptions
{
    public const string Section = "Kastell:SingleSignOn";

    /// <summary>
    /// Accept an identity provider on plain http when it is on a loopback address (a provider started for development
    /// or tests on this machine). Always on in the Development environment; off elsewhere, where issuers must be https.
    /// </summary>
    public bool AllowLoopbackHttpIssuers { get; set; }

    /// <summary>How long fetching a provider's discovery document may take when a connection is saved.</summary>
    public TimeSpan DiscoveryTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

internal sealed class SingleSignOnOptionsValidator : OptionsRules<SingleSignOnOptions>
{
    public override IEnumerable<string> Problems(SingleSignOnOptions options)
    {
        if (options.DiscoveryTimeout < TimeSpan.FromSeconds(1) || options.DiscoveryTimeout > TimeSpan.FromMinutes(1))
        {
            yield return $"Kastell:SingleSignOn:DiscoveryTimeout must be between 00:00:01 and 00:01:00 (was {options.DiscoveryTimeout}).";
        }
    }
}
