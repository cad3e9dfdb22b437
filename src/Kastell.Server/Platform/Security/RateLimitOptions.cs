using Kastell.Server.Platform.Hosting;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Security;

/// <summary><c>Kastell:RateLimits</c>: how many secret-checking requests a client address may send (see <see cref="RateLimiting"/>).</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Kastell:RateLimits";

    /// <summary>POST requests to <c>/account/*</c> and <c>/invitations/*</c> per client IP and minute. Default 20.</summary>
    [OptionMinimum(1)]
    public int AuthenticationPerMinute { get; set; } = 20;
}

[OptionsValidator]
internal sealed partial class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>;
