using Kastell.Server.Platform.Hosting;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Http.Api;

/// <summary><c>Kastell:Api</c>: the HTTP API's rate limits.</summary>
public sealed class ApiOptions
{
    public const string Section = "Kastell:Api";

    /// <summary>Requests one token may make per minute (default 600); more get 429 with Retry-After.</summary>
    [OptionRange(1, 1_000_000)]
    public int RequestsPerMinutePerToken { get; set; } = 600;

    /// <summary>Requests all tokens of one organization together may make per minute (default 3000).</summary>
    [OptionRange(1, 10_000_000)]
    public int RequestsPerMinutePerOrganization { get; set; } = 3000;
}

[OptionsValidator]
internal sealed partial class ApiOptionsValidator : IValidateOptions<ApiOptions>;
