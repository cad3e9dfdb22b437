using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Controls.Adoption;

/// <summary>
/// The request's Space stops answering a framework. The adoption row stays as history (when, by whom), and so do the
/// statement of applicability's lines and the controls' links: adopting the same version again finds them.
/// </summary>
internal sealed class EndAdoptionCommand(KastellDbContext db, Tenant tenant, Permissions permissions, CurrentActor actor, TimeProvider time, IAuditLog audit)
{
    public async Task<Result> ExecuteAsync(Guid? frameworkId, CancellationToken cancellationToken = default)
    {
        var space = tenant.RequireSpace();
        if (!await permissions.RequireAsync("space", space.Id, "can_adopt_frameworks", cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        var adoption = frameworkId is { } id
            ? await db.FrameworkAdoptions.SingleOrDefaultAsync(a => a.SpaceId == space.Id && a.FrameworkId == id && a.EndedAt == null, cancellationToken)
            : null;
        if (adoption is null)
        {
            return ControlsErrors.NotAdopted;
        }

        adoption.EndedAt = time.GetUtcNow();
        adoption.EndedBy = ControlNames.ActorName(actor.Actor);
        audit.Record(new(ControlEvents.FrameworkAdoptionEnded, actor.Actor, AuditTarget.Space(space.Id), Details: new Dictionary<string, string>
        {
            ["framework"] = adoption.FrameworkId.ToString(),
            ["version"] = adoption.FrameworkVersionId.ToString(),
        }));
        await db.SaveChangesAsync(cancellationToken);
        return Result.Done;
    }
}
