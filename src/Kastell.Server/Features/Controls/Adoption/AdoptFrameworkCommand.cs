using Kastell.Server.Features.Frameworks.Library;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Controls.Adoption;

/// <summary>
/// The request's Space adopts a framework of the organization's library in its current version: from now on its
/// statement of applicability answers that version's requirements.
/// </summary>
internal sealed class AdoptFrameworkCommand(KastellDbContext db, Tenant tenant, Permissions permissions, FrameworkQueries frameworks, CurrentActor actor, TimeProvider time, IAuditLog audit)
{
    public async Task<Result<FrameworkAdoption>> ExecuteAsync(Guid? frameworkId, CancellationToken cancellationToken = default)
    {
        var space = tenant.RequireSpace();
        if (!await permissions.RequireAsync("space", space.Id, "can_adopt_frameworks", cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        if (frameworkId is not { } id || await frameworks.FindAsync(id, cancellationToken) is not { CurrentVersionId: { } versionId } framework)
        {
            return ControlsErrors.FrameworkInvalid;
        }

        if (await db.FrameworkAdoptions.AnyAsync(a => a.SpaceId == space.Id && a.FrameworkId == id && a.EndedAt == null, cancellationToken))
        {
            return ControlsErrors.AlreadyAdopted;
        }

        var adoption = new FrameworkAdoption
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = space.OrganizationId,
            SpaceId = space.Id,
            FrameworkId = framework.Id,
            FrameworkVersionId = versionId,
            AdoptedAt = time.GetUtcNow(),
            AdoptedBy = ControlNames.ActorName(actor.Actor),
        };
        db.FrameworkAdoptions.Add(adoption);
        audit.Record(new(ControlEvents.FrameworkAdopted, actor.Actor, AuditTarget.Space(space.Id), Details: new Dictionary<string, string>
        {
            ["framework"] = framework.Id.ToString(),
            ["version"] = versionId.ToString(),
        }));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another request adopted it between the check and the save: the unique index decided.
            db.ChangeTracker.Clear();
            if (await db.FrameworkAdoptions.AnyAsync(a => a.SpaceId == space.Id && a.FrameworkId == id && a.EndedAt == null, CancellationToken.None))
            {
                return ControlsErrors.AlreadyAdopted;
            }

            throw;
        }

        return adoption;
    }
}
