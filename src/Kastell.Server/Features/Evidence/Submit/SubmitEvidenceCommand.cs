using Kastell.Server.Features.Assets.ManageAssets;
using Kastell.Server.Features.Controls.ManageControls;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Storage;
using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Features.Evidence.Submit;

/// <summary>
/// Submits evidence in the request's Space. Everything is validated before a file is touched; a file goes through the
/// Space's encrypted storage and the malware scan as an attachment (no Space viewer reads it as a file), and only a
/// clean file becomes evidence: anything else — refused, infected, or unscanned for want of a scanner — leaves no
/// record and no stored object, and so does a failure while the record is saved (the stored file is deleted again).
/// </summary>
internal sealed class SubmitEvidenceCommand(KastellDbContext db, Tenant tenant, Permissions permissions, RelationshipWriter relationships, CurrentActor actor,
    TimeProvider time, IAuditLog audit, Uploads uploads, SpaceFiles files, ControlQueries controls, AssetQueries assets)
{
    public async Task<Result<EvidenceItem>> ExecuteAsync(EvidenceInput input, EvidenceFile? file = null, CancellationToken cancellationToken = default)
    {
        var space = tenant.RequireSpace();
        if (!await permissions.RequireAsync("space", space.Id, "can_add_evidence", cancellationToken: cancellationToken) || actor.Subject is not { } subject)
        {
            return Failures.NotAllowed;
        }

        var validated = await EvidenceInputs.ValidateAsync(input, space.Id, controls, assets, cancellationToken);
        if (validated.Value is not { } valid)
        {
            return validated.Failure!;
        }

        if ((valid.Kind == EvidenceKind.File) != (file is not null))
        {
            return EvidenceErrors.KindInvalid;
        }

        StoredObject? stored = null;
        if (file is not null)
        {
            var upload = await uploads.UploadAsync(space.Id, file.FileName, file.Content, actor.Actor, attachment: true, cancellationToken);
            if (upload.Outcome != UploadOutcome.Accepted)
            {
                // Held in quarantine for want of a scanner: not evidence anyone could open, so not kept at all.
                if (upload.File is { } held)
                {
                    await files.DeleteAsync(space.Id, held.Id, deletion: null, CancellationToken.None);
                }

                return EvidenceErrors.FileRefused;
            }

            stored = upload.File!;
        }

        try
        {
            return await SaveAsync(space, subject, valid, stored, cancellationToken);
        }
        catch when (stored is not null)
        {
            // The record did not make it: neither may its file.
            db.ChangeTracker.Clear();
            await files.DeleteAsync(space.Id, stored.Id, deletion: null, CancellationToken.None);
            throw;
        }
    }

    private async Task<EvidenceItem> SaveAsync(Space space, string subject, ValidEvidence valid, StoredObject? stored, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var submitter = SubjectId(subject);
        var item = new EvidenceItem
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = space.OrganizationId,
            SpaceId = space.Id,
            Kind = valid.Kind,
            Title = valid.Title,
            Url = valid.Url,
            Note = valid.Note,
            EffectiveOn = valid.EffectiveOn,
            ObservedFrom = valid.ObservedFrom,
            ObservedTo = valid.ObservedTo,
            ValidUntil = valid.ValidUntil,
            State = EvidenceState.Submitted,
            SubmittedBy = submitter,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.EvidenceItems.Add(item);
        if (stored is not null)
        {
            db.EvidenceVersions.Add(new EvidenceVersion
            {
                Id = Guid.CreateVersion7(),
                OrganizationId = space.OrganizationId,
                SpaceId = space.Id,
                EvidenceId = item.Id,
                Number = 1,
                StoredObjectId = stored.Id,
                UploadedBy = submitter,
                UploadedAt = now,
            });
        }

        var @object = Permissions.Object("evidence", item.Id);
        await relationships.GrantAsync(@object, "space", Permissions.Object("space", space.Id), cancellationToken);
        await relationships.GrantAsync(@object, "uploader", subject, cancellationToken);
        foreach (var control in valid.Controls)
        {
            await relationships.GrantAsync(@object, "control", Permissions.Object("control", control), cancellationToken);
        }

        foreach (var asset in valid.Assets)
        {
            await relationships.GrantAsync(@object, "asset", Permissions.Object("asset", asset), cancellationToken);
        }

        audit.Record(new(EvidenceEvents.EvidenceSubmitted, actor.Actor, EvidenceNames.Target(item.Id), Details: new Dictionary<string, string>
        {
            ["space"] = space.Id.ToString(),
            ["kind"] = valid.Kind.ToString(),
            ["title"] = EvidenceNames.Short(valid.Title),
            ["controls"] = valid.Controls.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["assets"] = valid.Assets.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }));
        await db.SaveChangesAsync(cancellationToken);
        return item;
    }

    /// <summary>The id in a subject (<c>user:…</c>, <c>service_account:…</c>).</summary>
    internal static Guid? SubjectId(string subject) =>
        Guid.TryParseExact(subject.AsSpan(subject.IndexOf(':', StringComparison.Ordinal) + 1), "D", out var id) ? id : null;
}
