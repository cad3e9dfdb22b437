using Kastell.Server.Features.Organizations;
using Kastell.Server.Features.Organizations.Deletion;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Encryption;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Platform.Encryption;

/// <summary>Deleting an organization destroys its data keys: whatever ciphertext of it survives cannot be read.</summary>
public abstract class CryptoShreddingTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DeletedOrganization_ItsSurvivingCiphertext_CannotBeDecrypted()
    {
        var org = await EncryptedOrganizations.CreateAsync(host, "Kronjuwelen");
        var ciphertext = await EncryptedOrganizations.StoredDescriptionAsync(host, org);
        var keyId = FieldCipher.KeyIdOf(ciphertext, Location(org));
        await AddSpaceAsync(org.Id);

        var deleted = await host.Services.GetRequiredService<OrganizationDeletion>().DeleteAsync(org.Id, AuditActor.System("test"), Ct);

        Assert.Equal(1, deleted!.DataKeysDestroyed);
        var (scope, db) = host.OpenDb(org.Id);
        await using (scope)
        {
            Assert.False(await db.DataKeys.AnyAsync(k => k.Id == keyId, Ct));
            Assert.False(await db.Organizations.AnyAsync(o => o.Id == org.Id, Ct));
            Assert.False(await db.Spaces.AnyAsync(Ct));
            var audited = await db.AuditEvents.Where(e => e.OrganizationId == org.Id).Select(e => e.Type).ToListAsync(Ct);
            Assert.Contains(OrganizationEvents.OrganizationDeleted, audited);
        }

        // The key is gone from the database and from this instance's memory.
        Assert.Throws<KeyUnavailableException>(() => host.Services.GetRequiredService<DataKeyRing>().KeyForReading(keyId, org.Id));

        // The row restored from a copy (same id, the old ciphertext): unreadable, and the plaintext appears nowhere.
        await EncryptedOrganizations.CreateAsync(host, "neu angelegt", org.Id, org.Slug);
        await EncryptedOrganizations.SetStoredDescriptionAsync(host, org, ciphertext);
        var error = await EncryptionAssert.RefusedAsync<KeyUnavailableException>(() => EncryptedOrganizations.ReadDescriptionAsync(host, org.Id));
        Assert.Contains(keyId.ToString(), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Kronjuwelen", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeletingOneOrganization_LeavesOthersReadable()
    {
        var doomed = await EncryptedOrganizations.CreateAsync(host, "weg");
        var survivor = await EncryptedOrganizations.CreateAsync(host, "bleibt");

        await host.Services.GetRequiredService<OrganizationDeletion>().DeleteAsync(doomed.Id, AuditActor.System("test"), Ct);

        host.Services.GetRequiredService<DataKeyRing>().Forget();
        Assert.Equal("bleibt", await EncryptedOrganizations.ReadDescriptionAsync(host, survivor.Id));
    }

    [Fact]
    public async Task UnknownOrganization_IsNotDeleted()
    {
        Assert.Null(await host.Services.GetRequiredService<OrganizationDeletion>().DeleteAsync(Guid.NewGuid(), AuditActor.System("test"), Ct));
        using var output = new StringWriter();
        Assert.Equal(2, await KastellCli.RunAsync(host.Services, ["delete-organization", "--organization", "no-such-org"], output, TestContext.Current.CancellationToken));
        Assert.Equal(2, await KastellCli.RunAsync(host.Services, ["delete-organization"], output, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Cli_DeletesAndShreds()
    {
        var org = await EncryptedOrganizations.CreateAsync(host, "per CLI");
        using var output = new StringWriter();

        Assert.Equal(0, await KastellCli.RunAsync(host.Services, ["delete-organization", "--organization", org.Slug], output, TestContext.Current.CancellationToken));

        Assert.Contains("1 data key(s) destroyed", output.ToString(), StringComparison.Ordinal);
        Assert.Empty(await RawDatabase.ColumnAsync(host, """SELECT "Id" FROM "Organizations" WHERE "Slug" = @slug""", ("slug", org.Slug)));
    }

    private async Task AddSpaceAsync(Guid organizationId)
    {
        var (scope, db) = host.OpenDb(organizationId);
        await using (scope)
        {
            db.Spaces.Add(new Space { Id = Guid.NewGuid(), OrganizationId = organizationId, Slug = "doomed", Name = "Doomed", CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync(Ct);
        }
    }

    private static FieldLocation Location(Organization org) => new("Organizations", "ConfidentialDescription", $"[\"{org.Id}\"]");
}

public sealed class CryptoShreddingTestsOnSqliteWithKeyFile(SqliteHost host) : CryptoShreddingTests(host), IClassFixture<SqliteHost>;

public sealed class CryptoShreddingTestsOnPostgresWithKeyFile(PostgresHost host) : CryptoShreddingTests(host), IClassFixture<PostgresHost>;

public sealed class CryptoShreddingTestsOnSqliteWithSoftHsm(SqliteHsmHost host) : CryptoShreddingTests(host), IClassFixture<SqliteHsmHost>;

public sealed class CryptoShreddingTestsOnPostgresWithSoftHsm(PostgresHsmHost host) : CryptoShreddingTests(host), IClassFixture<PostgresHsmHost>;
