using System.Net;
using Kastell.Server.Platform.Hosting;

namespace Kastell.Server.Platform.Security;

/// <summary>
/// <c>Kastell:ForwardedHeaders</c>: the reverse proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c>
/// Kastell believes. Nothing is trusted by default, not even loopback: a header from any other peer is ignored, so a
/// client cannot choose the address the rate limiter, the sign-in throttle and the audit trail see.
/// </summary>
public sealed class TrustedProxyOptions
{
    public const string Section = "Kastell:ForwardedHeaders";

    /// <summary>Addresses of trusted proxies, separated by commas (<c>10.0.0.5, 2001:db8::5</c>).</summary>
    public string? KnownProxies { get; set; }

    /// <summary>Networks of trusted proxies in CIDR notation, separated by commas (<c>10.0.0.0/24</c>).</summary>
    public string? KnownNetworks { get; set; }

    internal IEnumerable<IPAddress> Proxies() => Split(KnownProxies).Select(IPAddress.Parse);

    internal IEnumerable<IPNetwork> Networks() => Split(KnownNetworks).Select(n => IPNetwork.Parse(n));

    internal static IEnumerable<string> Split(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>Every entry must parse: a typo would otherwise silently trust nobody (or, worse, be read as something else).</summary>
internal sealed class TrustedProxyOptionsValidator : OptionsRules<TrustedProxyOptions>
{
    public override IEnumerable<string> Problems(TrustedProxyOptions options)
    {
        foreach (var entry in TrustedProxyOptions.Split(options.KnownProxies).Where(e => !IPAddress.TryParse(e, out _)))
        {
            yield return $"Kastell:ForwardedHeaders:KnownProxies must list IP addresses separated by commas ('{entry}' is none).";
        }

        foreach (var entry in TrustedProxyOptions.Split(options.KnownNetworks).Where(e => !IPNetwork.TryParse(e, out _)))
        {
            yield return $"Kastell:ForwardedHeaders:KnownNetworks must list networks in CIDR notation such as 10.0.0.0/24, separated by commas ('{entry}' is none).";
        }
    }
}
