using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.Domains.Checking;

/// <summary>What a look-up of a domain's TXT record found.</summary>
public enum ChallengeAnswer
{
    /// <summary>A TXT record at the challenge name holds exactly the expected value.</summary>
    Found,

    /// <summary>The resolvers answered, and no TXT record there holds the value (or the name does not exist).</summary>
    Missing,

    /// <summary>No resolver gave an answer to rely on (timeout, refused, server failure): nothing can be concluded.</summary>
    Unreachable,
}

/// <summary>
/// Looks up the TXT records of <c>_kastell-challenge.&lt;domain&gt;</c> with DnsClient against the configured resolvers
/// (<c>Kastell:Domains:Resolvers</c>, or the system's), never from a cache: a record that was removed must be seen as
/// removed. Only a clear answer (NOERROR or NXDOMAIN) counts as <see cref="ChallengeAnswer.Missing"/>; anything else is
/// <see cref="ChallengeAnswer.Unreachable"/>, so an outage never unverifies a domain.
/// </summary>
internal sealed class DnsChallengeChecker(IOptions<DomainOptions> options, ILogger<DnsChallengeChecker> logger)
{
    private readonly Lazy<LookupClient> _client = new(() => Create(options.Value));

    public async Task<ChallengeAnswer> CheckAsync(string recordName, string expected, CancellationToken cancellationToken)
    {
        IDnsQueryResponse response;
        try
        {
            response = await _client.Value.QueryAsync(recordName, QueryType.TXT, QueryClass.IN, cancellationToken);
        }
        catch (DnsResponseException exception)
        {
            logger.LogWarning("No DNS resolver answered for {Record}: {Code} {Error}", recordName, exception.Code, exception.DnsError);
            return ChallengeAnswer.Unreachable;
        }

        if (response.Header.ResponseCode is not (DnsHeaderResponseCode.NoError or DnsHeaderResponseCode.NotExistentDomain))
        {
            logger.LogWarning("The DNS resolver {Server} answered {Code} for {Record}", response.NameServer, response.Header.ResponseCode, recordName);
            return ChallengeAnswer.Unreachable;
        }

        // A value longer than 255 octets is split into several character strings of one record: they are joined.
        return response.Answers.OfType<TxtRecord>().Any(r => string.Concat(r.Text) == expected) ? ChallengeAnswer.Found : ChallengeAnswer.Missing;
    }

    private static LookupClient Create(DomainOptions options)
    {
        var resolvers = options.ResolverEndPoints();
        var settings = resolvers.Count > 0 ? new LookupClientOptions([.. resolvers]) : new LookupClientOptions();
        settings.UseCache = false;
        settings.Timeout = options.Timeout;
        settings.Retries = 1;
        settings.ThrowDnsErrors = false;
        settings.UseTcpFallback = true;
        settings.ContinueOnDnsError = true;
        settings.ContinueOnEmptyResponse = false; // an empty NOERROR answer is an answer: the record is not there
        return new LookupClient(settings);
    }
}
