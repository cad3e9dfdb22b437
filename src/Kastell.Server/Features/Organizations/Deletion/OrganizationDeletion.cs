using Kastell.Authorization.Storage.EntityFramework;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Encryption;
using Kastell.Server.Platform.Storage;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Organizations.Deletion;

public sealed record OrganizationDeleted(Guid OrganizationId, int DataKeysDestroyed);

/// <summary>
/// Deletes an organization by crypto-shredding: its data keys are destroyed in the same transaction that deletes its
/// rows (members, Spaces, files, invitations, … cascade), so any copy of its ciphertext that survives — a replica, a row a
/// bug left behind, an export — can no longer be decrypted. The deletion is recorded in the organization's own audit
/// chain, which stays (append-only, no secrets), and its id in <see cref="DeletedOrganization"/> so the chain can still be found. Backups still hold the wrapped keys: they become unreadable once the
/// KEK versions that wrapped them are destroyed (rotate the KEK, then destroy the old version after the backup
/// retention period).
/// </summary>
public sealed class OrganizationDeletion(TenantScopes scopes, DataKeyRing ring, IObjectStore storage, TimeProvider time)
{
    public async Task<OrganizationDeleted?> DeleteAsync(Guid organizationId, AuditActor actor, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.Enter(organizationId, actor);
        var db = scope.Services.GetRequiredService<KastellDbContext>();
        if (!await db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken))
        {
            return null;
        }

        var spaces = await db.Spaces.Select(s => s.Id).ToListAsync(cancellationToken);
        List<Guid> keys;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            keys = await db.DataKeys.Where(k => k.OrganizationId == organizationId).Select(k => k.Id).ToListAsync(cancellationToken);
            await db.DataKeys.Where(k => k.OrganizationId == organizationId).ExecuteDeleteAsync(cancellationToken);
            await db.Organizations.Where(o => o.Id == organizationId).ExecuteDeleteAsync(cancellationToken);
            // Its relationship tuples (the organization's whole store) go with it.
            var store = Permissions.StoreId(organizationId);
            await db.Set<TupleEntity>().Where(t => t.StoreId == store).ExecuteDeleteAsync(cancellationToken);
            // So jobs can still find the organization's audit chain (the SIEM forwarder delivers what it has not sent yet).
            db.Add(new DeletedOrganization { Id = organizationId, DeletedAt = time.GetUtcNow() });
            scope.Services.GetRequiredService<IAuditLog>().Record(new(OrganizationEvents.OrganizationDeleted, actor, AuditTarget.Organization(organizationId),
                Details: new Dictionary<string, string> { ["dataKeysDestroyed"] = keys.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        // Other instances drop their cached copies within DataKeyRing.CacheLifetime.
        ring.Forget(keys);
        // The files' keys went with the data key; removing the ciphertext too frees the space.
        foreach (var space in spaces)
        {
            await storage.DeleteContainerAsync(StorageContainers.OfSpace(space), CancellationToken.None);
        }

        return new OrganizationDeleted(organizationId, keys.Count);
    }
}
