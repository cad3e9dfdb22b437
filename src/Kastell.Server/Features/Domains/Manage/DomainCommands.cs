using System.Security.Cryptography;
using Kastell.Server.Features.Domains.Checking;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Domains.Manage;

/// <summary>
/// Adding, verifying and removing the request organization's domains: owners and admins (<c>can_manage_domains</c>),
/// or a system actor (the operator's command line, the re-check job). A domain another organization holds verified is
/// refused before anything is written (and audited as a refused claim); the registry's primary key settles a race
/// between two organizations verifying one name at once (ADR 0021).
/// </summary>
internal sealed class DomainCommands(KastellDbContext db, Tenant tenant, Permissions permissions, DnsChallengeChecker dns, IAuditLog audit, TimeProvider time)
{
    /// <summary>Claims per organization: enough for any real estate of domains, and a bound on the DNS look-ups one organization can cause.</summary>
    public const int MaxDomainsPerOrganization = 50;

    public const string ChallengePrefix = "kastell-verification=";

    public static AuditTarget Target(Guid id) => new("domain", id.ToString());

    public async Task<Result<OrganizationDomain>> AddAsync(string name, AuditActor actor, CancellationToken cancellationToken = default)
    {
        var organization = tenant.RequireOrganizationId();
        if (!await MayManageAsync(organization, actor, cancellationToken))
        {
            return Failures.NotAllowed;
        }

        var normalized = DomainNames.Normalize(name);
        if (normalized.Value is not { } ascii)
        {
            return normalized.Failure!;
        }

        if (await db.OrganizationDomains.AnyAsync(d => d.Name == ascii, cancellationToken))
        {
            return DomainsErrors.AlreadyAdded;
        }

        if (await HolderAsync(ascii, cancellationToken) is { } holder && holder != organization)
        {
            return await RefuseAsync(ascii, null, actor, cancellationToken);
        }

        if (await db.OrganizationDomains.CountAsync(cancellationToken) >= MaxDomainsPerOrganization)
        {
            return DomainsErrors.TooMany;
        }

        var domain = new OrganizationDomain
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = organization,
            Name = ascii,
            Challenge = ChallengePrefix + Base64Url(RandomNumberGenerator.GetBytes(32)),
            State = DomainState.Pending,
            CreatedAt = time.GetUtcNow(),
            CreatedBy = actor.Id ?? actor.Kind.ToString(),
        };
        db.OrganizationDomains.Add(domain);
        audit.Record(new(DomainEvents.DomainAdded, actor, Target(domain.Id), Details: new Dictionary<string, string> { ["domain"] = ascii }));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The same name added twice at once: the unique index decided.
            db.ChangeTracker.Clear();
            if (await db.OrganizationDomains.AsNoTracking().AnyAsync(d => d.Name == ascii && d.Id != domain.Id, CancellationToken.None))
            {
                return DomainsErrors.AlreadyAdded;
            }

            throw;
        }

        return domain;
    }

    /// <summary>
    /// Looks the domain's TXT record up now. Found: verified (and entered in the registry). Not found: failed, or for a
    /// verified domain unverified, each audited. Resolvers unreachable: nothing changes.
    /// </summary>
    public async Task<Result<OrganizationDomain>> VerifyAsync(Guid id, AuditActor actor, CancellationToken cancellationToken = default)
    {
        var organization = tenant.RequireOrganizationId();
        if (!await MayManageAsync(organization, actor, cancellationToken))
        {
            return Failures.NotAllowed;
        }

        var domain = await db.OrganizationDomains.SingleOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (domain is null)
        {
            return Failures.NotFound;
        }

        if (await HolderAsync(domain.Name, cancellationToken) is { } holder && holder != organization)
        {
            // Not even a DNS query: another organization proved this name, and one organization holds a domain.
            return await RefuseAsync(domain.Name, domain, actor, cancellationToken);
        }

        var answer = await dns.CheckAsync(domain.RecordName, domain.Challenge, cancellationToken);
        return answer switch
        {
            ChallengeAnswer.Found => await MarkVerifiedAsync(domain, actor, cancellationToken),
            ChallengeAnswer.Missing => await MarkMissingAsync(domain, actor, cancellationToken),
            _ => DomainsErrors.ResolverUnreachable,
        };
    }

    public async Task<Result> RemoveAsync(Guid id, AuditActor actor, CancellationToken cancellationToken = default)
    {
        var organization = tenant.RequireOrganizationId();
        if (!await MayManageAsync(organization, actor, cancellationToken))
        {
            return Failures.NotAllowed;
        }

        var domain = await db.OrganizationDomains.SingleOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (domain is null)
        {
            return Failures.NotFound;
        }

        db.VerifiedDomainNames.RemoveRange(await db.VerifiedDomainNames.Where(v => v.DomainId == domain.Id && v.OrganizationId == organization).ToListAsync(cancellationToken));
        db.OrganizationDomains.Remove(domain);
        audit.Record(new(DomainEvents.DomainRemoved, actor, Target(domain.Id),
            Details: new Dictionary<string, string> { ["domain"] = domain.Name, ["state"] = domain.State.ToString() }));
        await db.SaveChangesAsync(cancellationToken);
        return Result.Done;
    }

    private async Task<Result<OrganizationDomain>> MarkVerifiedAsync(OrganizationDomain domain, AuditActor actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var wasVerified = domain.State == DomainState.Verified;
        domain.LastCheckedAt = now;
        domain.Problem = DomainProblem.None;
        if (!wasVerified)
        {
            domain.State = DomainState.Verified;
            domain.VerifiedAt = now;
            if (!await db.VerifiedDomainNames.AnyAsync(v => v.Name == domain.Name, cancellationToken))
            {
                db.VerifiedDomainNames.Add(new VerifiedDomainName { Name = domain.Name, OrganizationId = domain.OrganizationId, DomainId = domain.Id, VerifiedAt = now });
            }

            audit.Record(new(DomainEvents.DomainVerified, actor, Target(domain.Id), Details: new Dictionary<string, string> { ["domain"] = domain.Name }));
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another organization verified the same name between the check above and this save: its row won.
            db.ChangeTracker.Clear();
            if (await HolderAsync(domain.Name, CancellationToken.None) is { } holder && holder != domain.OrganizationId)
            {
                var stored = await db.OrganizationDomains.SingleAsync(d => d.Id == domain.Id, CancellationToken.None);
                return await RefuseAsync(stored.Name, stored, actor, CancellationToken.None);
            }

            throw;
        }

        return domain;
    }

    private async Task<Result<OrganizationDomain>> MarkMissingAsync(OrganizationDomain domain, AuditActor actor, CancellationToken cancellationToken)
    {
        var lost = domain.State == DomainState.Verified;
        domain.State = DomainState.Failed;
        domain.Problem = DomainProblem.RecordMissing;
        domain.LastCheckedAt = time.GetUtcNow();
        if (lost)
        {
            db.VerifiedDomainNames.RemoveRange(await db.VerifiedDomainNames.Where(v => v.DomainId == domain.Id && v.OrganizationId == domain.OrganizationId).ToListAsync(cancellationToken));
        }

        audit.Record(new(lost ? DomainEvents.DomainVerificationLost : DomainEvents.DomainVerificationFailed, actor, Target(domain.Id),
            lost ? AuditOutcome.Succeeded : AuditOutcome.Failed, new Dictionary<string, string> { ["domain"] = domain.Name, ["reason"] = "record-missing" }));
        await db.SaveChangesAsync(cancellationToken);
        return DomainsErrors.RecordMissing;
    }

    /// <summary>Records the refusal (with the name, never the other organization) and changes nothing else.</summary>
    private async Task<Failure> RefuseAsync(string name, OrganizationDomain? domain, AuditActor actor, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        audit.Record(new(DomainEvents.DomainClaimRefused, actor, domain is null ? AuditTarget.Organization(tenant.RequireOrganizationId()) : Target(domain.Id),
            AuditOutcome.Denied, new Dictionary<string, string> { ["domain"] = name, ["reason"] = "verified-by-another-organization" }));
        await db.SaveChangesAsync(cancellationToken);
        return DomainsErrors.TakenByAnotherOrganization;
    }

    /// <summary>The organization holding <paramref name="name"/> verified, from the cross-tenant registry.</summary>
    private Task<Guid?> HolderAsync(string name, CancellationToken cancellationToken) =>
        db.VerifiedDomainNames.AsNoTracking().Where(v => v.Name == name).Select(v => (Guid?)v.OrganizationId).SingleOrDefaultAsync(cancellationToken);

    private async Task<bool> MayManageAsync(Guid organization, AuditActor actor, CancellationToken cancellationToken) =>
        actor.Kind == AuditActorKind.System
        || await permissions.RequireAsync("organization", organization, "can_manage_domains", auditAllow: true, cancellationToken);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
