using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Storage;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Evidence.Submit;

/// <summary>
/// A new version of a file evidence item: the older versions are kept, the review starts again (what was accepted was
/// the old content), and whoever uploaded the new one becomes an uploader too — so may not review it either. Like a
/// first upload, a refused file leaves nothing behind.
/// </summary>
internal sealed class AddEvidenceVersionCommand(KastellDbContext db, Tenant tenant, Permissions permissions, RelationshipWriter relationships, CurrentActor actor,
    TimeProvider time, IAuditLog audit, Uploads uploads, SpaceFiles files)
{
    public async Task<Result<EvidenceVersion>> ExecuteAsync(Guid evidenceId, EvidenceFile file, CancellationToken cancellationToken = default)
    {
        var space = tenant.RequireSpace();
        var item = await db.EvidenceItems.SingleOrDefaultAsync(e => e.Id == evidenceId && e.SpaceId == space.Id, cancellationToken);
        if (item is null || !await permissions.HasAsync("evidence", item.Id, "can_read", cancellationToken))
        {
            return Failures.NotFound;
        }

        if (!await permissions.RequireAsync("evidence", item.Id, "can_edit", cancellationToken: cancellationToken) || actor.Subject is not { } subject)
        {
            return Failures.NotAllowed;
        }

        if (item.Kind != EvidenceKind.File)
        {
            return EvidenceErrors.KindInvalid;
        }

        var upload = await uploads.UploadAsync(space.Id, file.FileName, file.Content, actor.Actor, attachment: true, cancellationToken);
        if (upload.Outcome != UploadOutcome.Accepted)
        {
            if (upload.File is { } held)
            {
                await files.DeleteAsync(space.Id, held.Id, deletion: null, CancellationToken.None);
            }

            return EvidenceErrors.FileRefused;
        }

        try
        {
            var now = time.GetUtcNow();
            var number = 1 + await db.EvidenceVersions.Where(v => v.EvidenceId == item.Id).MaxAsync(v => (int?)v.Number, cancellationToken) ?? 1;
            var version = new EvidenceVersion
            {
                Id = Guid.CreateVersion7(),
                OrganizationId = space.OrganizationId,
                SpaceId = space.Id,
                EvidenceId = item.Id,
                Number = number,
                StoredObjectId = upload.File!.Id,
                UploadedBy = SubmitEvidenceCommand.SubjectId(subject),
                UploadedAt = now,
            };
            db.EvidenceVersions.Add(version);
            item.State = EvidenceState.Submitted;
            item.ReviewedBy = null;
            item.ReviewedAt = null;
            item.ReviewComment = "";
            item.UpdatedAt = now;
            await relationships.GrantAsync(Permissions.Object("evidence", item.Id), "uploader", subject, cancellationToken);
            audit.Record(new(EvidenceEvents.EvidenceVersionAdded, actor.Actor, EvidenceNames.Target(item.Id), Details: new Dictionary<string, string>
            {
                ["space"] = space.Id.ToString(),
                ["version"] = number.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }));
            await db.SaveChangesAsync(cancellationToken);
            return version;
        }
        catch
        {
            db.ChangeTracker.Clear();
            await files.DeleteAsync(space.Id, upload.File!.Id, deletion: null, CancellationToken.None);
            throw;
        }
    }
}
