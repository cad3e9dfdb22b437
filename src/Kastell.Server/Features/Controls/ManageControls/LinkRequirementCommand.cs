using Kastell.Server.Features.Controls.Adoption;
using Kastell.Server.Features.Frameworks.Library;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Controls.ManageControls;

/// <summary>
/// Links a control to a requirement of a framework its Space adopts (named by the framework and the requirement's id
/// as the framework spells it, <c>A.5.1</c>, <c>ac-2</c>), or removes such a link. One control answers any number of
/// requirements, across frameworks; a requirement may be answered by several controls.
/// </summary>
internal sealed class LinkRequirementCommand(KastellDbContext db, Tenant tenant, Permissions permissions, AdoptionQueries adoptions, FrameworkQueries frameworks, CurrentActor actor, TimeProvider time, IAuditLog audit)
{
    public async Task<Result> LinkAsync(Guid controlId, Guid? frameworkId, string? requirement, CancellationToken cancellationToken = default)
    {
        if (await EditableAsync(controlId, cancellationToken) is { Failure: { } failure })
        {
            return failure;
        }

        var space = tenant.RequireSpace();
        if (frameworkId is not { } id || await adoptions.FindCurrentAsync(space.Id, id, cancellationToken) is not { } adoption)
        {
            return ControlsErrors.NotAdopted;
        }

        if (string.IsNullOrWhiteSpace(requirement) || requirement.Length > 200
            || await frameworks.FindRequirementAsync(adoption.FrameworkVersionId, requirement, cancellationToken) is not { } found)
        {
            return ControlsErrors.RequirementInvalid;
        }

        if (await db.ControlRequirements.AnyAsync(l => l.ControlId == controlId && l.RequirementId == found.Id, cancellationToken))
        {
            return Result.Done;
        }

        db.ControlRequirements.Add(new ControlRequirement
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = space.OrganizationId,
            ControlId = controlId,
            RequirementId = found.Id,
            LinkedAt = time.GetUtcNow(),
            LinkedBy = ControlNames.ActorName(actor.Actor),
        });
        audit.Record(new(ControlEvents.ControlRequirementLinked, actor.Actor, ControlNames.Target(controlId), Details: new Dictionary<string, string>
        {
            ["requirement"] = found.Id.ToString(),
            ["control_id"] = found.ControlId,
            ["framework"] = found.FrameworkId.ToString(),
        }));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The same link made by a request in between: the unique index decided, and the link exists.
            db.ChangeTracker.Clear();
            if (!await db.ControlRequirements.AnyAsync(l => l.ControlId == controlId && l.RequirementId == found.Id, CancellationToken.None))
            {
                throw;
            }
        }

        return Result.Done;
    }

    public async Task<Result> UnlinkAsync(Guid controlId, Guid? requirementId, CancellationToken cancellationToken = default)
    {
        if (await EditableAsync(controlId, cancellationToken) is { Failure: { } failure })
        {
            return failure;
        }

        var link = requirementId is { } id
            ? await db.ControlRequirements.SingleOrDefaultAsync(l => l.ControlId == controlId && l.RequirementId == id, cancellationToken)
            : null;
        if (link is null)
        {
            return ControlsErrors.RequirementInvalid;
        }

        db.ControlRequirements.Remove(link);
        audit.Record(new(ControlEvents.ControlRequirementUnlinked, actor.Actor, ControlNames.Target(controlId), Details: new Dictionary<string, string>
        {
            ["requirement"] = link.RequirementId.ToString(),
        }));
        await db.SaveChangesAsync(cancellationToken);
        return Result.Done;
    }

    /// <summary>The control is in the route's Space and the caller may edit it.</summary>
    private async Task<Result> EditableAsync(Guid controlId, CancellationToken cancellationToken)
    {
        var space = tenant.RequireSpace();
        if (!await db.Controls.AnyAsync(c => c.Id == controlId && c.SpaceId == space.Id, cancellationToken))
        {
            return Failures.NotFound;
        }

        return await permissions.RequireAsync("control", controlId, "can_edit", cancellationToken: cancellationToken) ? Result.Done : Failures.NotAllowed;
    }
}
