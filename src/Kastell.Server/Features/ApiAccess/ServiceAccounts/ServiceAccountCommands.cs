using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.ApiAccess.ServiceAccounts;

/// <summary>
/// Creating, disabling and granting Space roles to the request organization's service accounts: owners and admins
/// only (<c>can_manage_service_accounts</c>), or the operator's command line (a system actor). Rows and tuples change
/// together in one save, as for people (ADR 0014).
/// </summary>
public sealed class ServiceAccountCommands(KastellDbContext db, Tenant tenant, Permissions permissions, RelationshipWriter relations, IAuditLog audit, TimeProvider time)
{
    public const int MaxNameLength = 100;

    public static string Subject(Guid id) => $"service_account:{id:D}";

    public async Task<Result<ServiceAccount>> CreateAsync(string name, OrganizationRole role, AuditActor actor, CancellationToken cancellationToken = default)
    {
        var organization = tenant.RequireOrganizationId();
        if (!await MayManageAsync(organization, actor, cancellationToken))
        {
            return Failures.NotAllowed;
        }

        name = name.Trim();
        if (name.Length is 0 or > MaxNameLength || name.Any(char.IsControl))
        {
            return ApiAccessErrors.ServiceAccountNameInvalid;
        }

        // A machine never owns an organization: owners are people who can be held to account.
        if (role is not (OrganizationRole.Member or OrganizationRole.Auditor or OrganizationRole.Admin))
        {
            return ApiAccessErrors.ServiceAccountRoleInvalid;
        }

        if (await db.ServiceAccounts.AnyAsync(s => s.Name == name, cancellationToken))
        {
            return ApiAccessErrors.ServiceAccountNameTaken;
        }

        var account = new ServiceAccount
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = organization,
            Name = name,
            Role = role,
            CreatedAt = time.GetUtcNow(),
            CreatedBy = actor.Id ?? actor.Kind.ToString(),
        };
        db.ServiceAccounts.Add(account);
        await relations.GrantAsync(Subject(account.Id), "organization", Permissions.Object("organization", organization), cancellationToken);
        await relations.GrantAsync(Permissions.Object("organization", organization), Memberships.RelationOf(role), Subject(account.Id), cancellationToken);
        audit.Record(new(ApiAccessEvents.ServiceAccountCreated, actor, new AuditTarget("service_account", account.Id.ToString()),
            Details: new Dictionary<string, string> { ["name"] = name, ["role"] = role.ToString() }));
        await db.SaveChangesAsync(cancellationToken);
        return account;
    }

    /// <summary>Gives the service account a role in a Space of the organization (replacing the one it had there).</summary>
    public async Task<Result> GrantSpaceRoleAsync(Guid accountId, Guid spaceId, SpaceRole role, AuditActor actor, CancellationToken cancellationToken = default)
    {
        var organization = tenant.RequireOrganizationId();
        if (!await MayManageAsync(organization, actor, cancellationToken))
        {
            return Failures.NotAllowed;
        }

        var account = await db.ServiceAccounts.SingleOrDefaultAsync(s => s.Id == accountId, cancellationToken);
        if (account is null || !Enum.IsDefined(role) || !await db.Spaces.AnyAsync(s => s.Id == spaceId, cancellationToken))
        {
            return Failures.NotFound;
        }

        if (account.DisabledAt is not null)
        {
            return ApiAccessErrors.ServiceAccountDisabled;
        }

        var space = Permissions.Object("space", spaceId);
        var existing = await db.ServiceAccountSpaceRoles.SingleOrDefaultAsync(r => r.ServiceAccountId == accountId && r.SpaceId == spaceId, cancellationToken);
        if (existing is not null)
        {
            await relations.RevokeAsync(space, Memberships.RelationOf(existing.Role), Subject(accountId), cancellationToken);
            existing.Role = role;
        }
        else
        {
            db.ServiceAccountSpaceRoles.Add(new ServiceAccountSpaceRole { OrganizationId = organization, ServiceAccountId = accountId, SpaceId = spaceId, Role = role });
        }

        await relations.GrantAsync(space, Memberships.RelationOf(role), Subject(accountId), cancellationToken);
        audit.Record(new(ApiAccessEvents.ServiceAccountSpaceRoleGranted, actor, new AuditTarget("service_account", accountId.ToString()),
            Details: new Dictionary<string, string> { ["space"] = spaceId.ToString(), ["role"] = role.ToString() }));
        await db.SaveChangesAsync(cancellationToken);
        return Result.Done;
    }

    /// <summary>Disables the account for good: every token revoked and every relation removed, in one save.</summary>
    public async Task<Result> DisableAsync(Guid accountId, AuditActor actor, CancellationToken cancellationToken = default)
    {
        var organization = tenant.RequireOrganizationId();
        if (!await MayManageAsync(organization, actor, cancellationToken))
        {
            return Failures.NotAllowed;
        }

        var account = await db.ServiceAccounts.SingleOrDefaultAsync(s => s.Id == accountId, cancellationToken);
        if (account is null || account.DisabledAt is not null)
        {
            return Failures.NotFound;
        }

        var now = time.GetUtcNow();
        account.DisabledAt = now;
        var revoked = await db.ApiTokens.Where(t => t.OrganizationId == organization && t.ServiceAccountId == accountId && t.RevokedAt == null).ToListAsync(cancellationToken);
        foreach (var token in revoked)
        {
            token.RevokedAt = now;
        }

        db.ServiceAccountSpaceRoles.RemoveRange(await db.ServiceAccountSpaceRoles.Where(r => r.ServiceAccountId == accountId).ToListAsync(cancellationToken));
        await relations.RevokeAllAsync(user: Subject(accountId), cancellationToken: cancellationToken);
        audit.Record(new(ApiAccessEvents.ServiceAccountDisabled, actor, new AuditTarget("service_account", accountId.ToString()),
            Details: new Dictionary<string, string> { ["name"] = account.Name, ["tokensRevoked"] = revoked.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        await db.SaveChangesAsync(cancellationToken);
        return Result.Done;
    }

    private async Task<bool> MayManageAsync(Guid organization, AuditActor actor, CancellationToken cancellationToken) =>
        actor.Kind == AuditActorKind.System
        || await permissions.RequireAsync("organization", organization, "can_manage_service_accounts", auditAllow: true, cancellationToken);
}
