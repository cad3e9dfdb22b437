using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Organizations.Create;

/// <summary>
/// Another organization for an existing account, who becomes its owner: from the "new organization" page (any
/// signed-in account past MFA, since an organization is a new tenant and no existing one's relations can grant it)
/// or from the <c>create-organization</c> verb (the operator). The page's path is capped at
/// <see cref="MaxOwnedPerAccount"/> owned organizations, so one account cannot mint tenants (each with its audit
/// chain and data key) without end; the operator's verb is not.
/// </summary>
internal sealed class CreateOrganizationCommand(KastellDbContext db, OrganizationFounding founding)
{
    public const int MaxOwnedPerAccount = 20;

    public async Task<Result<Organization>> ExecuteAsync(Guid ownerId, string name, AuditActor actor, bool capped, CancellationToken cancellationToken = default)
    {
        if (OrganizationFounding.CleanName(name) is null)
        {
            return OrganizationErrors.OrganizationNameInvalid;
        }

        // Across tenants on purpose: row-level security shows the acting user their own membership rows.
        if (capped && await db.OrganizationMembers.IgnoreQueryFilters()
                .CountAsync(m => m.UserId == ownerId && m.Role == OrganizationRole.Owner, cancellationToken) >= MaxOwnedPerAccount)
        {
            return OrganizationErrors.OrganizationLimitReached;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var details = actor.Kind == AuditActorKind.User ? null : new Dictionary<string, string> { ["owner"] = ownerId.ToString() };
        var organization = await founding.FoundAsync(name, ownerId, actor, details, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return organization;
    }
}
