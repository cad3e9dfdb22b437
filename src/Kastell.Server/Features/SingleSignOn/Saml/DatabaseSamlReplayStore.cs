using System.Security.Cryptography;
using System.Text;
using Kastell.Saml;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.SingleSignOn.Saml;

/// <summary>
/// The replay store of SAML sign-ins on the database (ADR 0013): an assertion id is recorded with a unique key, so it
/// survives a restart and holds across processes on one PostgreSQL (the second insert of the same key fails, whichever
/// process makes it). Expired records of the organization are deleted as new ones arrive.
/// </summary>
internal sealed class DatabaseSamlReplayStore(KastellDbContext db, Tenant tenant, TimeProvider time) : ISamlReplayStore
{
    public async ValueTask<bool> TryRecordAsync(string issuer, string assertionId, DateTimeOffset keepUntil, CancellationToken cancellationToken)
    {
        var organizationId = tenant.RequireOrganizationId();
        var now = time.GetUtcNow();
        await db.SamlAssertionUses.Where(u => u.KeepUntil < now).ExecuteDeleteAsync(cancellationToken);
        var use = new SamlAssertionUse { Id = KeyOf(organizationId, issuer, assertionId), OrganizationId = organizationId, KeepUntil = keepUntil };
        db.SamlAssertionUses.Add(use);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            // Used before (here or in another process): the key exists.
            db.Entry(use).State = EntityState.Detached;
            return false;
        }
    }

    internal static string KeyOf(Guid organizationId, string issuer, string assertionId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{organizationId:N}\n{issuer}\n{assertionId}")));
}
