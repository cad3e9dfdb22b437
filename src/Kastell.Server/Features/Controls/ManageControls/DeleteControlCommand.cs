using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Controls.ManageControls;

/// <summary>
/// Deletes a control of the request's Space with its answers to requirements and every tuple naming it (its Space,
/// its owner), in one unit of work: no link or tuple outlives the control, and the statement of applicability shows
/// the requirements it answered as unanswered. The decisions on applicability are the Space's and stay.
/// </summary>
internal sealed class DeleteControlCommand(KastellDbContext db, Tenant tenant, Permissions permissions, RelationshipWriter relationships, CurrentActor actor, IAuditLog audit)
{
    public async Task<Result> ExecuteAsync(Guid controlId, CancellationToken cancellationToken = default)
    {
        var space = tenant.RequireSpace();
        var control = await db.Controls.SingleOrDefaultAsync(c => c.Id == controlId && c.SpaceId == space.Id, cancellationToken);
        if (control is null)
        {
            return Failures.NotFound;
        }

        if (!await permissions.RequireAsync("control", controlId, "can_delete", auditAllow: true, cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        var links = await db.ControlRequirements.Where(l => l.ControlId == controlId).ToListAsync(cancellationToken);
        db.ControlRequirements.RemoveRange(links);
        db.Controls.Remove(control);
        await relationships.RevokeAllAsync(@object: Permissions.Object("control", controlId), cancellationToken: cancellationToken);
        audit.Record(new(ControlEvents.ControlDeleted, actor.Actor, ControlNames.Target(controlId), Details: new Dictionary<string, string>
        {
            ["space"] = space.Id.ToString(),
            ["title"] = control.Title.Length <= 100 ? control.Title : control.Title[..100],
            ["requirements"] = ControlNames.Number(links.Count),
        }));
        await db.SaveChangesAsync(cancellationToken);
        return Result.Done;
    }
}
