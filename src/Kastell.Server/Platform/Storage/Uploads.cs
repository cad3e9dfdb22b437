using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Storage;

public enum UploadOutcome
{
    Accepted,

    /// <summary>Stored encrypted but hidden until a rescan: the malware scanner was unavailable.</summary>
    Quarantined,

    TooLarge,
    UnsupportedType,
    Infected,

    /// <summary>A file of zero bytes: nothing to keep.</summary>
    Empty,

    /// <summary>A rescan found the file deleted or already handled by another scan: nothing changed, nothing recorded.</summary>
    Gone,
}

/// <param name="HeldBecause">Why a file stays in quarantine (<see cref="ScanResult.Reason"/>), for <see cref="UploadOutcome.Quarantined"/>.</param>
public sealed record UploadResult(UploadOutcome Outcome, StoredObject? File = null, string? HeldBecause = null);

/// <summary>
/// An upload into a Space: size limit, content type from the bytes, malware scan. The file is encrypted and stored
/// as <see cref="StoredObjectStatus.Quarantined"/> first — so no plaintext ever touches a disk, not even for the scan —
/// then sniffed and scanned from its decrypted stream. Clean: made available. Infected or of a type Kastell does not
/// accept: deleted. Scanner unavailable: left in quarantine for <see cref="RescanAsync"/>. Every outcome of a new
/// upload is audited (accepted, quarantined, infected, refused with its reason).
/// </summary>
public sealed class Uploads(SpaceFiles files, KastellDbContext db, ClamdScanner scanner, IAuditLog audit, IOptions<StorageOptions> options)
{
    private readonly long _maxBytes = options.Value.MaxUploadBytes;

    public long MaxBytes => _maxBytes;

    public Task<UploadResult> UploadAsync(Guid spaceId, string fileName, Stream content, AuditActor actor, CancellationToken cancellationToken = default) =>
        UploadAsync(spaceId, fileName, content, actor, attachment: false, cancellationToken);

    /// <summary>As above; an <paramref name="attachment"/> is the content of another record (<see cref="StoredObject.Attachment"/>).</summary>
    public async Task<UploadResult> UploadAsync(Guid spaceId, string fileName, Stream content, AuditActor actor, bool attachment, CancellationToken cancellationToken = default)
    {
        StoredObject stored;
        try
        {
            var uploader = actor.Kind == AuditActorKind.User && Guid.TryParse(actor.Id, out var user) ? user : (Guid?)null;
            stored = await files.UploadAsync(spaceId, fileName, "application/octet-stream", new LengthLimitedStream(content, _maxBytes), StoredObjectStatus.Quarantined, uploader, attachment, cancellationToken);
        }
        catch (UploadTooLargeException)
        {
            return await RefusedAsync(spaceId, null, UploadOutcome.TooLarge, actor, cancellationToken);
        }

        if (stored.Size == 0)
        {
            await files.DeleteAsync(spaceId, stored.Id, Refusal(spaceId, null, UploadOutcome.Empty, actor), cancellationToken);
            return new UploadResult(UploadOutcome.Empty);
        }

        return await CheckAsync(stored, actor, newUpload: true, cancellationToken);
    }

    /// <summary>
    /// Records a refused upload. Used by callers too, for a request refused before its file reached
    /// <see cref="UploadAsync"/> (a body over the request limit).
    /// </summary>
    public async Task<UploadResult> RefusedAsync(Guid spaceId, Guid? fileId, UploadOutcome outcome, AuditActor actor, CancellationToken cancellationToken = default)
    {
        await audit.RecordNowAsync(Refusal(spaceId, fileId, outcome, actor), cancellationToken);
        return new UploadResult(outcome);
    }

    private AuditEntry Refusal(Guid spaceId, Guid? fileId, UploadOutcome outcome, AuditActor actor)
    {
        var reason = outcome switch
        {
            UploadOutcome.TooLarge => "too-large",
            UploadOutcome.UnsupportedType => "unsupported-type",
            UploadOutcome.Empty => "empty",
            _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Not a refusal."),
        };
        var details = new Dictionary<string, string> { ["reason"] = reason, ["space"] = spaceId.ToString() };
        if (outcome == UploadOutcome.TooLarge)
        {
            details["limit"] = _maxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return new(UploadEvents.FileUploadRefused, actor, new AuditTarget("file", fileId?.ToString()), AuditOutcome.Denied, details);
    }

    /// <summary>Scans one quarantined file again: released, rejected, or still quarantined.</summary>
    public async Task<UploadResult> RescanAsync(Guid objectId, AuditActor actor, CancellationToken cancellationToken = default)
    {
        var stored = await db.StoredObjects.AsNoTracking().SingleOrDefaultAsync(o => o.Id == objectId && o.Status == StoredObjectStatus.Quarantined, cancellationToken)
            ?? throw new InvalidOperationException("No such quarantined file in this organization.");
        stored.ContentKey = ""; // the result goes to callers, who have no use for the file's key
        return await CheckAsync(stored, actor, newUpload: false, cancellationToken);
    }

    /// <summary>The organization's quarantined files, for a rescan.</summary>
    public Task<List<Guid>> QuarantinedAsync(CancellationToken cancellationToken = default) =>
        db.StoredObjects.Where(o => o.Status == StoredObjectStatus.Quarantined).OrderBy(o => o.Id).Select(o => o.Id).ToListAsync(cancellationToken); // oldest first (version-7 ids)

    private async Task<UploadResult> CheckAsync(StoredObject stored, AuditActor actor, bool newUpload, CancellationToken cancellationToken)
    {
        string? contentType;
        ScanResult scan;
        var (_, content) = (await files.OpenReadAsync(stored.Id, spaceId: null, includeQuarantined: true, cancellationToken))!.Value;
        await using (content)
        {
            contentType = await ContentSniffer.DetectAsync(content, cancellationToken);
            if (contentType is null)
            {
                await files.DeleteAsync(stored.SpaceId, stored.Id, newUpload ? Refusal(stored.SpaceId, stored.Id, UploadOutcome.UnsupportedType, actor) : null, cancellationToken);
                return new UploadResult(UploadOutcome.UnsupportedType);
            }

            content.Position = 0;
            scan = await scanner.ScanAsync(content, cancellationToken);
        }

        var target = new AuditTarget("file", stored.Id.ToString());
        switch (scan.Verdict)
        {
            case ScanVerdict.Clean:
                if (!await SetStatusAsync(stored.Id, StoredObjectStatus.Available, contentType, newUpload
                    ? new(UploadEvents.FileUploaded, actor, target, Details: new Dictionary<string, string>
                    {
                        ["space"] = stored.SpaceId.ToString(),
                        ["size"] = stored.Size.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["type"] = contentType,
                    })
                    : new(UploadEvents.FileReleased, actor, target), cancellationToken))
                {
                    return new UploadResult(UploadOutcome.Gone);
                }

                stored.ContentType = contentType;
                stored.Status = StoredObjectStatus.Available;
                return new UploadResult(UploadOutcome.Accepted, stored);

            case ScanVerdict.Infected:
                await files.DeleteAsync(stored.SpaceId, stored.Id, new(UploadEvents.FileMalwareFound, actor, target, AuditOutcome.Denied,
                    new Dictionary<string, string> { ["signature"] = scan.Signature ?? "", ["space"] = stored.SpaceId.ToString() }), cancellationToken);
                return new UploadResult(UploadOutcome.Infected);

            default:
                var reason = scan.Reason ?? ScanResult.ScannerUnavailable;
                if (!await SetStatusAsync(stored.Id, StoredObjectStatus.Quarantined, contentType, newUpload
                    ? new(UploadEvents.FileQuarantined, actor, target, AuditOutcome.Failed,
                        new Dictionary<string, string> { ["reason"] = reason, ["space"] = stored.SpaceId.ToString() })
                    : null, cancellationToken))
                {
                    return new UploadResult(UploadOutcome.Gone);
                }

                stored.ContentType = contentType;
                return new UploadResult(UploadOutcome.Quarantined, stored, reason);
        }
    }

    /// <summary>
    /// The file's new status and its audit event in one transaction: neither without the other. False, with nothing
    /// written, if the file is no longer in quarantine (deleted meanwhile, or released by a scan on another host).
    /// </summary>
    private async Task<bool> SetStatusAsync(Guid objectId, StoredObjectStatus status, string contentType, AuditEntry? entry, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (!await files.SetStatusAsync(objectId, status, contentType, cancellationToken))
        {
            return false; // disposing the transaction rolls it back
        }

        if (entry is not null)
        {
            await audit.RecordNowAsync(entry, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}

/// <summary>Thrown while the upload is still being stored, so the incomplete ciphertext is discarded with it.</summary>
public sealed class UploadTooLargeException() : Exception("The upload exceeds the size limit.");

/// <summary>Passes reads through until more than the limit has been read, then throws.</summary>
internal sealed class LengthLimitedStream(Stream inner, long limit) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Count(int read)
    {
        _read += read;
        return _read > limit ? throw new UploadTooLargeException() : read;
    }
}
