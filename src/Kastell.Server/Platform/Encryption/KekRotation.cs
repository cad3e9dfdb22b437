using System.Xml.Linq;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Encryption;

public sealed record KekRotationResult(int FromVersions, int ToVersion, int DataKeysRewrapped, int DataProtectionKeysRewrapped);

/// <summary>
/// Rotates the key-encryption key online: creates the next KEK version, then re-wraps every data key and every
/// data-protection key with it, one organization at a time (each inside its own tenant, so row-level security
/// stays on). Encrypted data is untouched: only the wrapping changes. Running instances keep working throughout,
/// since both versions exist until the operator destroys the old one.
/// </summary>
public sealed class KekRotation(IKeyEncryptionKeyProvider kek, TenantScopes scopes, DataKeyRing ring)
{
    public async Task<KekRotationResult> RotateAsync(CancellationToken cancellationToken = default)
    {
        var previous = kek.CurrentVersion();
        var next = kek.CreateNextVersion();

        List<Guid> organizations;
        await using (var scope = scopes.Open(AuditActor.System("kek-rotation")))
        {
            var db = scope.Services.GetRequiredService<KastellDbContext>();
            organizations = await db.Organizations.Select(o => o.Id).ToListAsync(cancellationToken);
        }

        var dataKeys = await RewrapDataKeysAsync(null, next, cancellationToken);
        foreach (var organization in organizations)
        {
            dataKeys += await RewrapDataKeysAsync(organization, next, cancellationToken);
        }

        var dataProtectionKeys = await RewrapDataProtectionKeysAsync(next, cancellationToken);
        ring.Forget();
        return new KekRotationResult(previous, next, dataKeys, dataProtectionKeys);
    }

    private async Task<int> RewrapDataKeysAsync(Guid? organizationId, int toVersion, CancellationToken cancellationToken)
    {
        await using var scope = scopes.EnterChain(organizationId, AuditActor.System("kek-rotation"));

        var db = scope.Services.GetRequiredService<KastellDbContext>();
        var keys = await db.DataKeys.Where(k => k.OrganizationId == organizationId && k.KekVersion != toVersion).ToListAsync(cancellationToken);
        foreach (var key in keys)
        {
            var associatedData = DataKey.WrapAssociatedData(key.Id, key.OrganizationId);
            var plain = kek.Unwrap(key.KekVersion, key.WrappedKey, associatedData);
            key.WrappedKey = kek.Wrap(toVersion, plain, associatedData);
            key.KekVersion = toVersion;
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(plain);
        }

        await db.SaveChangesAsync(cancellationToken);
        return keys.Count;
    }

    private async Task<int> RewrapDataProtectionKeysAsync(int toVersion, CancellationToken cancellationToken)
    {
        await using var scope = scopes.Open(AuditActor.System("kek-rotation"));
        var db = scope.Services.GetRequiredService<KastellDbContext>();
        var count = 0;
        foreach (var record in await db.DataProtectionKeys.ToListAsync(cancellationToken))
        {
            var element = XElement.Parse(record.Xml);
            if (KekXmlEncryptor.Rewrap(kek, element, toVersion))
            {
                record.Xml = element.ToString(SaveOptions.DisableFormatting);
                count++;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        return count;
    }
}
