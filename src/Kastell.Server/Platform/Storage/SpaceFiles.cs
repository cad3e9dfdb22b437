using System.Security.Cryptography;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Encryption;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Storage;

/// <summary>
/// Files of the request's organization, stored encrypted in their Space's container. The ciphertext is complete in
/// storage before its record is saved, so a user never sees a file that is not fully stored; a failed upload leaves
/// at most an unreferenced ciphertext file, never plaintext.
/// </summary>
public sealed class SpaceFiles(KastellDbContext db, IObjectStore store, TimeProvider time, IAuditLog audit, Authorization.RelationshipWriter relations)
{
    public async Task<StoredObject> UploadAsync(Guid spaceId, string fileName, string contentType, Stream content, CancellationToken cancellationToken = default) =>
        await UploadAsync(spaceId, fileName, contentType, content, StoredObjectStatus.Available, null, cancellationToken);

    /// <summary>Stores a file with the given status (uploads start quarantined until scanned; see <see cref="Uploads"/>).</summary>
    public async Task<StoredObject> UploadAsync(Guid spaceId, string fileName, string contentType, Stream content, StoredObjectStatus status, Guid? uploadedBy, CancellationToken cancellationToken = default) =>
        await UploadAsync(spaceId, fileName, contentType, content, status, uploadedBy, attachment: false, cancellationToken);

    /// <summary>
    /// As above; an <paramref name="attachment"/> is the content of another record (see <see cref="StoredObject.Attachment"/>):
    /// it gets no <c>file#space</c> tuple and stays out of the Space's file lists.
    /// </summary>
    public async Task<StoredObject> UploadAsync(Guid spaceId, string fileName, string contentType, Stream content, StoredObjectStatus status, Guid? uploadedBy, bool attachment, CancellationToken cancellationToken = default)
    {
        var space = await db.Spaces.AsNoTracking().SingleOrDefaultAsync(s => s.Id == spaceId, cancellationToken)
            ?? throw new InvalidOperationException("No such Space in this organization.");
        var id = Guid.CreateVersion7();
        var container = StorageContainers.OfSpace(space.Id);
        var key = RandomNumberGenerator.GetBytes(32);
        try
        {
            long length;
            byte[] sha256;
            await using (var upload = await store.BeginUploadAsync(container, id.ToString("N"), cancellationToken))
            {
                (length, sha256) = await ObjectCipher.EncryptAsync(content, upload.Content, key, id, cancellationToken);
                await upload.CommitAsync(cancellationToken);
            }

            var stored = new StoredObject
            {
                Id = id,
                OrganizationId = space.OrganizationId,
                SpaceId = space.Id,
                FileName = fileName,
                ContentType = contentType,
                Size = length,
                Sha256 = Convert.ToHexStringLower(sha256),
                ContentKey = Convert.ToBase64String(key),
                CreatedAt = time.GetUtcNow(),
                Status = status,
                UploadedBy = uploadedBy,
                Attachment = attachment,
            };
            db.StoredObjects.Add(stored);
            // The file's place in the model, saved with its record: it is read by whoever reads its Space — unless it
            // is an attachment, read only through the record it belongs to.
            var file = Authorization.Permissions.Object("file", id);
            if (!attachment)
            {
                await relations.GrantAsync(file, "space", Authorization.Permissions.Object("space", space.Id), cancellationToken);
            }

            if (uploadedBy is { } uploader)
            {
                await relations.GrantAsync(file, "uploader", Authorization.Permissions.User(uploader), cancellationToken);
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch
            {
                await store.DeleteAsync(container, id.ToString("N"), CancellationToken.None);
                throw;
            }

            db.Entry(stored).State = EntityState.Detached;
            stored.ContentKey = "";
            return stored;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>The file's record and a seekable plaintext stream (ranges decrypt only their chunks).</summary>
    /// <exception cref="KeyUnavailableException">The organization's data key is gone (shredded).</exception>
    /// <exception cref="DecryptionFailedException">The stored file is damaged or not this record's.</exception>
    /// <exception cref="ObjectStoreException">The stored file is missing or storage fails.</exception>
    public Task<(StoredObject Record, Stream Content)?> OpenReadAsync(Guid objectId, CancellationToken cancellationToken = default) =>
        OpenReadAsync(objectId, spaceId: null, includeQuarantined: false, cancellationToken);

    /// <summary>
    /// As <see cref="OpenReadAsync(Guid, CancellationToken)"/>, but only a file of <paramref name="spaceId"/>: an id of
    /// another Space answers like one that does not exist, and so does an attachment (read through its record only).
    /// </summary>
    public Task<(StoredObject Record, Stream Content)?> OpenReadAsync(Guid spaceId, Guid objectId, CancellationToken cancellationToken = default) =>
        OpenReadAsync(objectId, spaceId, includeQuarantined: false, cancellationToken);

    /// <summary>Also quarantined files: only for the malware scan, never for users.</summary>
    internal async Task<(StoredObject Record, Stream Content)?> OpenReadAsync(Guid objectId, Guid? spaceId, bool includeQuarantined, CancellationToken cancellationToken = default)
    {
        var stored = await db.StoredObjects.AsNoTracking().SingleOrDefaultAsync(o => o.Id == objectId && (spaceId == null || (o.SpaceId == spaceId && !o.Attachment)), cancellationToken);
        if (stored is null || (stored.Status != StoredObjectStatus.Available && !includeQuarantined))
        {
            return null;
        }

        var key = Convert.FromBase64String(stored.ContentKey);
        stored.ContentKey = "";
        var ciphertext = await store.OpenReadAsync(StorageContainers.OfSpace(stored.SpaceId), stored.Id.ToString("N"), cancellationToken);
        try
        {
            return (stored, await ObjectCipher.OpenReadAsync(ciphertext, key, stored.Id, stored.Size, Convert.FromHexString(stored.Sha256), cancellationToken));
        }
        catch
        {
            await ciphertext.DisposeAsync();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>
    /// Sets status and content type of a quarantined file in one update (both are plain columns, no re-encryption);
    /// false if it is not (or no longer) in quarantine.
    /// </summary>
    internal async Task<bool> SetStatusAsync(Guid objectId, StoredObjectStatus status, string contentType, CancellationToken cancellationToken = default) =>
        await db.StoredObjects.Where(o => o.Id == objectId && o.Status == StoredObjectStatus.Quarantined)
            .ExecuteUpdateAsync(u => u.SetProperty(o => o.Status, status).SetProperty(o => o.ContentType, contentType), cancellationToken) == 1;

    /// <summary>
    /// The files of one Space, newest first, without their keys and hashes: quarantined ones too (users see that a
    /// file awaits its scan), which <see cref="OpenReadAsync(Guid, Guid, CancellationToken)"/> never opens.
    /// </summary>
    public async Task<IReadOnlyList<StoredObject>> ListAsync(Guid spaceId, CancellationToken cancellationToken = default)
    {
        // Whole entities, not a projection: only entities pass through the decrypting interceptor (the names).
        var files = await db.StoredObjects.AsNoTracking().Where(o => o.SpaceId == spaceId && !o.Attachment).ToListAsync(cancellationToken);
        foreach (var file in files)
        {
            file.ContentKey = "";
            file.Sha256 = "";
        }

        // Version-7 ids sort by creation; SQLite cannot order by a DateTimeOffset column.
        return [.. files.OrderByDescending(f => f.CreatedAt).ThenByDescending(f => f.Id)];
    }

    /// <summary>
    /// Up to <paramref name="take"/> files of one Space, newest first (version-7 ids sort by creation), strictly after
    /// <paramref name="before"/> in that order; without keys and hashes, quarantined ones included (as in <see cref="ListAsync"/>).
    /// </summary>
    public async Task<IReadOnlyList<StoredObject>> PageAsync(Guid spaceId, Guid? before, int take, CancellationToken cancellationToken = default)
    {
        var query = db.StoredObjects.AsNoTracking().Where(o => o.SpaceId == spaceId && !o.Attachment);
        if (before is { } last)
        {
            query = query.Where(o => o.Id.CompareTo(last) < 0);
        }

        var files = await query.OrderByDescending(o => o.Id).Take(take).ToListAsync(cancellationToken);
        foreach (var file in files)
        {
            file.ContentKey = "";
            file.Sha256 = "";
        }

        return files;
    }

    /// <summary>The record of one file of a Space (available or quarantined), without key and hash; null if there is none.</summary>
    public async Task<StoredObject?> FindAsync(Guid spaceId, Guid objectId, CancellationToken cancellationToken = default)
    {
        var file = await db.StoredObjects.AsNoTracking().SingleOrDefaultAsync(o => o.Id == objectId && o.SpaceId == spaceId && !o.Attachment, cancellationToken);
        if (file is not null)
        {
            file.ContentKey = "";
            file.Sha256 = "";
        }

        return file;
    }

    /// <summary>The record of an attachment of a Space (its owning record decided who may see it), without key and hash; null if there is none.</summary>
    public async Task<StoredObject?> FindAttachmentAsync(Guid spaceId, Guid objectId, CancellationToken cancellationToken = default)
    {
        var file = await db.StoredObjects.AsNoTracking().SingleOrDefaultAsync(o => o.Id == objectId && o.SpaceId == spaceId && o.Attachment, cancellationToken);
        if (file is not null)
        {
            file.ContentKey = "";
            file.Sha256 = "";
        }

        return file;
    }

    /// <summary>
    /// Deletes a file of <paramref name="spaceId"/> (an id of another Space answers like a missing one) and records
    /// <paramref name="deletion"/>, if any, in the same save, so that no file goes without its audit event.
    /// </summary>
    /// <returns>False if there is no file with this id in the Space.</returns>
    public async Task<bool> DeleteAsync(Guid spaceId, Guid objectId, AuditEntry? deletion, CancellationToken cancellationToken = default)
    {
        var stored = await db.StoredObjects.SingleOrDefaultAsync(o => o.Id == objectId && o.SpaceId == spaceId, cancellationToken);
        if (stored is null)
        {
            return false;
        }

        db.StoredObjects.Remove(stored);
        await relations.RevokeAllAsync(@object: Authorization.Permissions.Object("file", objectId), cancellationToken: cancellationToken);
        if (deletion is not null)
        {
            audit.Record(deletion);
        }

        await db.SaveChangesAsync(cancellationToken);
        await store.DeleteAsync(StorageContainers.OfSpace(stored.SpaceId), stored.Id.ToString("N"), cancellationToken);
        return true;
    }
}
