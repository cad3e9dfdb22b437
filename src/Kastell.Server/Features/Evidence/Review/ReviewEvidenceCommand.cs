using Kastell.Server.Features.Evidence.Submit;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Evidence.Review;

/// <summary>
/// Accepts or rejects submitted evidence. Four eyes: whoever submitted the item or uploaded one of its versions does
/// not review it — the model says so (<c>can_review … but not uploader</c>) and this command compares the reviewer
/// with the rows as well, so neither a changed model nor a hidden button is what stops it.
/// </summary>
internal sealed class ReviewEvidenceCommand(KastellDbContext db, Tenant tenant, Permissions permissions, CurrentActor actor, TimeProvider time, IAuditLog audit)
{
    public const string Accept = "accept";
    public const string Reject = "reject";

    /// <param name="precondition">Checked against the stored item (an API review's If-Match); false refuses with 412 and changes nothing.</param>
    public async Task<Result> ExecuteAsync(Guid evidenceId, string? decision, string? comment, Func<EvidenceItem, bool>? precondition = null, CancellationToken cancellationToken = default)
    {
        var space = tenant.RequireSpace();
        var item = await db.EvidenceItems.SingleOrDefaultAsync(e => e.Id == evidenceId && e.SpaceId == space.Id, cancellationToken);
        if (item is null || !await permissions.HasAsync("evidence", item.Id, "can_read", cancellationToken))
        {
            return Failures.NotFound;
        }

        var reviewer = actor.Subject is { } subject ? SubmitEvidenceCommand.SubjectId(subject) : null;
        var contributors = await db.EvidenceVersions.AsNoTracking().Where(v => v.EvidenceId == item.Id).Select(v => v.UploadedBy).ToListAsync(cancellationToken);
        if (reviewer is null || item.SubmittedBy == reviewer || contributors.Contains(reviewer))
        {
            return EvidenceErrors.OwnReview;
        }

        if (!await permissions.RequireAsync("evidence", item.Id, "can_review", cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        if (precondition is not null && !precondition(item))
        {
            return Platform.Http.Api.ApiErrors.PreconditionFailed;
        }

        var text = EvidenceNames.Clean(comment, EvidenceItem.MaxCommentLength, required: decision == Reject, multiline: true);
        if (item.State != EvidenceState.Submitted || decision is not (Accept or Reject) || text is null)
        {
            return EvidenceErrors.ReviewInvalid;
        }

        var now = time.GetUtcNow();
        item.State = decision == Accept ? EvidenceState.Accepted : EvidenceState.Rejected;
        item.ReviewedBy = reviewer;
        item.ReviewedAt = now;
        item.ReviewComment = text;
        item.UpdatedAt = now;
        audit.Record(new(decision == Accept ? EvidenceEvents.EvidenceAccepted : EvidenceEvents.EvidenceRejected, actor.Actor, EvidenceNames.Target(item.Id),
            Details: new Dictionary<string, string> { ["space"] = space.Id.ToString(), ["comment"] = EvidenceNames.Short(text) }));
        await db.SaveChangesAsync(cancellationToken);
        return Result.Done;
    }
}
