using Kastell.Server.Features.Controls.Adoption;
using Kastell.Server.Features.Frameworks.Library;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Controls.Applicability;

/// <summary>
/// Records one line of the request's Space's statement of applicability: a requirement of a framework version the
/// Space adopts is applicable or excluded, with the justification the standard asks for either way.
/// </summary>
internal sealed class RecordApplicabilityCommand(KastellDbContext db, Tenant tenant, Permissions permissions, AdoptionQueries adoptions, FrameworkQueries frameworks, CurrentActor actor, TimeProvider time, IAuditLog audit)
{
    public async Task<Result> ExecuteAsync(Guid? requirementId, string? applicable, string? justification, CancellationToken cancellationToken = default)
    {
        var space = tenant.RequireSpace();
        if (!await permissions.RequireAsync("space", space.Id, "can_edit_controls", cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        var versions = await adoptions.CurrentVersionIdsAsync(space.Id, cancellationToken);
        if (requirementId is not { } id
            || (await frameworks.RequirementsByIdAsync([id], cancellationToken)) is not [var requirement]
            || !versions.Contains(requirement.FrameworkVersionId))
        {
            return ControlsErrors.RequirementInvalid;
        }

        bool? applies = applicable switch { "yes" => true, "no" => false, _ => null };
        if (applies is not { } isApplicable
            || ControlNames.Clean(justification, ApplicabilityEntry.MaxJustificationLength, required: true, multiline: true) is not { } reason)
        {
            return ControlsErrors.JustificationRequired;
        }

        var entry = await db.ApplicabilityEntries.SingleOrDefaultAsync(e => e.SpaceId == space.Id && e.RequirementId == id, cancellationToken);
        if (entry is null)
        {
            entry = new ApplicabilityEntry { Id = Guid.CreateVersion7(), OrganizationId = space.OrganizationId, SpaceId = space.Id, RequirementId = id };
            db.ApplicabilityEntries.Add(entry);
        }
        else if (entry.Applicable == isApplicable && entry.Justification == reason)
        {
            return Result.Done;
        }

        entry.Applicable = isApplicable;
        entry.Justification = reason;
        entry.UpdatedAt = time.GetUtcNow();
        entry.UpdatedBy = ControlNames.ActorName(actor.Actor);
        audit.Record(new(ControlEvents.ApplicabilityRecorded, actor.Actor, AuditTarget.Space(space.Id), Details: new Dictionary<string, string>
        {
            ["requirement"] = id.ToString(),
            ["control_id"] = requirement.ControlId,
            ["applicable"] = isApplicable ? "yes" : "no",
        }));
        await db.SaveChangesAsync(cancellationToken);
        return Result.Done;
    }
}
