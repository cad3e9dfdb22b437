using Kastell.Server.Features.Domains.Manage;
using Kastell.Server.Platform;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.Domains.Checking;

/// <summary>What one re-check pass did.</summary>
internal sealed record RecheckPass(int Confirmed, int Lost, int Unreachable);

/// <summary>
/// Looks up every verified domain's record again (<c>Kastell:Domains:RecheckInterval</c>): a domain whose record is
/// gone is unverified (audited as <c>DomainVerificationLost</c>, actor <c>domain-recheck</c>) and leaves the registry, so
/// it no longer routes sign-ins. When the resolvers cannot be reached the domain stays as it was (an outage must not
/// unverify every domain) and the pass stops: the next pass tries again.
/// </summary>
internal sealed class DomainRecheckJob(TenantScopes scopes, IOptions<DomainOptions> options, TimeProvider time, ILogger<DomainRecheckJob> logger) : PeriodicJob(time)
{
    internal static readonly AuditActor Actor = AuditActor.System("domain-recheck");

    protected override TimeSpan? Interval => options.Value.RecheckInterval;

    protected override TimeSpan FirstRunDelay => TimeSpan.FromMinutes(5);

    protected override async Task RunPassAsync(CancellationToken cancellationToken)
    {
        try
        {
            var pass = await RunOnceAsync(cancellationToken);
            if (pass != new RecheckPass(0, 0, 0))
            {
                logger.LogInformation("Domain re-check: {Confirmed} confirmed, {Lost} unverified, {Unreachable} not checked (resolvers unreachable)", pass.Confirmed, pass.Lost, pass.Unreachable);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("The domain re-check could not run; it is tried again at the next pass: {Error}", exception.GetType().Name + ": " + exception.Message);
        }
    }

    /// <summary>One pass over every verified domain of every organization.</summary>
    internal async Task<RecheckPass> RunOnceAsync(CancellationToken cancellationToken)
    {
        List<(Guid Organization, Guid Domain)> verified;
        await using (var scope = scopes.Open(Actor))
        {
            verified = (await scope.Db.VerifiedDomainNames.AsNoTracking().OrderBy(v => v.OrganizationId).Select(v => new { v.OrganizationId, v.DomainId }).ToListAsync(cancellationToken))
                .Select(v => (v.OrganizationId, v.DomainId)).ToList();
        }

        // Every domain is tried, whatever happened to the one before: an unanswered lookup can come from one domain's
        // own name servers (which its holder controls), and stopping there kept every later domain verified forever.
        var pass = new RecheckPass(0, 0, 0);
        foreach (var (organization, domain) in verified)
        {
            Result<OrganizationDomain> result;
            try
            {
                await using var scope = scopes.Enter(organization, Actor);
                result = await scope.Get<DomainCommands>().VerifyAsync(domain, Actor, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning("Domain re-check of {Domain} failed: {Error}", domain, exception.GetType().Name);
                pass = pass with { Unreachable = pass.Unreachable + 1 };
                continue;
            }

            pass = result.Succeeded ? pass with { Confirmed = pass.Confirmed + 1 }
                : result.Failure == DomainsErrors.ResolverUnreachable ? pass with { Unreachable = pass.Unreachable + 1 }
                : pass with { Lost = pass.Lost + 1 };
        }

        return pass;
    }
}
