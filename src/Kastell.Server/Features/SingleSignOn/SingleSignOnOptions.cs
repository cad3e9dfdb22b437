using Kastell.Server.Platform.Hosting;
using Microsoft.Extensions.Options;

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
    [OptionRange(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan DiscoveryTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

[OptionsValidator]
internal sealed partial class SingleSignOnOptionsValidator : IValidateOptions<SingleSignOnOptions>;
