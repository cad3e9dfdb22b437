using System.Net;
using Kastell.Server.Platform.Hosting;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.Domains;

/// <summary><c>Kastell:Domains</c>: which DNS resolvers verify domains, how long a query may take, how often verified domains are checked again.</summary>
public sealed class DomainOptions
{
    public const string Section = "Kastell:Domains";

    /// <summary>
    /// Resolvers asked for the TXT records, as IP addresses with an optional port (<c>192.0.2.53</c>, <c>192.0.2.53:5353</c>,
    /// <c>[2001:db8::53]:53</c>) separated by commas, tried in order; empty: the system's resolvers (<c>/etc/resolv.conf</c>).
    /// </summary>
    public string Resolvers { get; set; } = "";

    /// <summary>How long one query may take before the next resolver (or the verdict "unreachable").</summary>
    [OptionRange(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often every verified domain's record is looked up again; zero switches the re-check off.</summary>
    [OptionRange(typeof(TimeSpan), "00:01:00", "30.00:00:00", AllowZero = true)]
    public TimeSpan RecheckInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The configured resolvers, parsed (the validator has refused anything else).</summary>
    public IReadOnlyList<IPEndPoint> ResolverEndPoints() =>
        [.. Resolvers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(r => Parse(r)!)];

    internal static IPEndPoint? Parse(string resolver)
    {
        if (IPAddress.TryParse(resolver, out var address))
        {
            return new IPEndPoint(address, 53);
        }

        return IPEndPoint.TryParse(resolver, out var endPoint) && endPoint.Port > 0 ? endPoint : null;
    }
}

[OptionsValidator]
internal sealed partial class DomainOptionsValidator : IValidateOptions<DomainOptions>, IOptionsRules<DomainOptions>
{
    public IEnumerable<string> Problems(DomainOptions options)
    {
        foreach (var resolver in options.Resolvers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (DomainOptions.Parse(resolver) is null)
            {
                yield return $"Kastell:Domains:Resolvers must list IP addresses with an optional port separated by commas ('{resolver}' is none).";
            }
        }
    }
}
