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
    public Task<Result> ExecuteAsync(Guid? requirementId, string? applicable, string? justification, CancellationToken cancellationToken = default) =>
        ExecuteAsync(requirementId, applicable, justification, precondition: null, cancellationToken);

    /// <param name="precondition">
    /// Checked against the stored line (null while undecided) with the line locked, after the input is validated: an
    /// API write's If-Match. A failure it returns is the answer, and nothing changes.
    /// </param>
    public async Task<Result> ExecuteAsync(Guid? requirementId, string? applicable, string? justification, Func<ApplicabilityEntry?, Failure?>? precondition, CancellationToken cancellationToken = default)
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

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockAsync(space.Id, id, cancellationToken);
        var entry = await db.ApplicabilityEntries.SingleOrDefaultAsync(e => e.SpaceId == space.Id && e.RequirementId == id, cancellationToken);
        if (precondition?.Invoke(entry) is { } refused)
        {
            return refused;
        }

        var created = entry is null;
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
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (created && precondition is not null)
        {
            // Another request decided the line between the read and the save (the unique index decided): what the
            // caller's precondition saw is no longer the line.
            db.ChangeTracker.Clear();
            return Platform.Http.Api.ApiErrors.PreconditionFailed;
        }

        await transaction.CommitAsync(cancellationToken);
        return Result.Done;
    }

    /// <summary>
    /// The line's row locked for the rest of the transaction, so a precondition is compared with what no one else
    /// changes meanwhile: on PostgreSQL <c>SELECT … FOR UPDATE</c>; on SQLite the transaction holds the single write lock.
    /// </summary>
    private async Task LockAsync(Guid spaceId, Guid requirementId, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM \"ApplicabilityEntries\" WHERE \"SpaceId\" = {spaceId} AND \"RequirementId\" = {requirementId} FOR UPDATE", cancellationToken);
        }
    }
}
