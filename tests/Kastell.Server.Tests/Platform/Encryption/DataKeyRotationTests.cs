using Kastell.Server.Platform.Encryption;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Platform.Encryption;

/// <summary>
/// Rotating an organization's data key: new values use the new key at once, the background worker re-encrypts the
/// old ones while the organization keeps working, then the old key is destroyed.
/// </summary>
public abstract class DataKeyRotationTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rotation_ReencryptsInTheBackground_AndDestroysTheOldKey()
    {
        var org = await EncryptedOrganizations.CreateAsync(host, "vor der Rotation");
        var oldKey = await KeyIdOfStoredDescriptionAsync(org);
        var oldCiphertext = await EncryptedOrganizations.StoredDescriptionAsync(host, org);

        var job = await host.Services.GetRequiredService<DataKeyRotation>().RequestAsync(org.Id, Ct);
        // No downtime: the organization reads and writes while the worker runs.
        Assert.Equal("vor der Rotation", await EncryptedOrganizations.ReadDescriptionAsync(host, org.Id));
        var done = await WaitForAsync(org.Id, job.Id);

        Assert.NotNull(done.CompletedAt);
        Assert.Null(done.Failure);
        Assert.Equal(1, done.RowsTotal);
        Assert.Equal(1, done.RowsDone);
        Assert.Equal(job.NewKeyId, await KeyIdOfStoredDescriptionAsync(org));
        Assert.NotEqual(oldKey, job.NewKeyId);
        Assert.Equal([job.NewKeyId], await KeyIdsAsync(org.Id));
        host.Services.GetRequiredService<DataKeyRing>().Forget();
        Assert.Equal("vor der Rotation", await EncryptedOrganizations.ReadDescriptionAsync(host, org.Id));

        // A copy of the old ciphertext (a backup of the row, say) no longer decrypts: its key is gone.
        await EncryptedOrganizations.SetStoredDescriptionAsync(host, org, oldCiphertext);
        await EncryptionAssert.RefusedAsync<KeyUnavailableException>(() => EncryptedOrganizations.ReadDescriptionAsync(host, org.Id));
    }

    [Fact]
    public async Task ValueWrittenAfterTheRequest_UsesTheNewKey()
    {
        var org = await EncryptedOrganizations.CreateAsync(host, "alt");
        var job = await host.Services.GetRequiredService<DataKeyRotation>().RequestAsync(org.Id, Ct);

        await EncryptedOrganizations.UpdateDescriptionAsync(host, org.Id, "neu");

        Assert.Equal(job.NewKeyId, await KeyIdOfStoredDescriptionAsync(org));
        await WaitForAsync(org.Id, job.Id);
        Assert.Equal("neu", await EncryptedOrganizations.ReadDescriptionAsync(host, org.Id));
    }

    [Fact]
    public async Task ValueThatDoesNotDecrypt_StopsTheRotation_AndKeepsTheOldKey()
    {
        var org = await EncryptedOrganizations.CreateAsync(host, "geheim");
        var stored = await EncryptedOrganizations.StoredDescriptionAsync(host, org);
        var bytes = Convert.FromBase64String(stored[FieldCipher.Prefix.Length..]);
        await EncryptedOrganizations.SetStoredDescriptionAsync(host, org, FieldCipher.Prefix + Convert.ToBase64String([.. bytes[..^1], (byte)(bytes[^1] ^ 1)]));
        var oldKeys = await KeyIdsAsync(org.Id);

        var job = await host.Services.GetRequiredService<DataKeyRotation>().RequestAsync(org.Id, Ct);
        var done = await WaitForAsync(org.Id, job.Id);

        Assert.Null(done.CompletedAt);
        Assert.Contains("failed authentication", done.Failure, StringComparison.Ordinal);
        Assert.DoesNotContain("geheim", done.Failure, StringComparison.Ordinal);
        var keys = await KeyIdsAsync(org.Id);
        Assert.Equal(2, keys.Count);
        Assert.Contains(job.NewKeyId, keys);
        Assert.Contains(Assert.Single(oldKeys), keys);
    }

    [Fact]
    public async Task SecondRequest_WhileOneIsPending_IsRefused()
    {
        var org = await EncryptedOrganizations.CreateAsync(host, "einmal");
        var rotation = host.Services.GetRequiredService<DataKeyRotation>();
        var current = Assert.Single(await KeyIdsAsync(org.Id));
        // A pending job as another instance (or the CLI) leaves it; this instance's worker is not woken for it.
        var pending = new DataKeyRotationJob { Id = Guid.NewGuid(), OrganizationId = org.Id, NewKeyId = current, RequestedAt = DateTimeOffset.UtcNow };
        var (scope, db) = host.OpenDb(org.Id);
        await using (scope)
        {
            db.DataKeyRotations.Add(pending);
            await db.SaveChangesAsync(Ct);
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => rotation.RequestAsync(org.Id, Ct));
        Assert.Contains("still running", refused.Message, StringComparison.Ordinal);

        // Resuming the pending job finishes it (nothing to re-encrypt); then a new rotation is accepted.
        var resumed = await host.Services.GetRequiredService<DataKeyReencryption>().RunAsync(pending.Id, org.Id, null, Ct);
        Assert.NotNull(resumed.CompletedAt);
        var next = await rotation.RequestAsync(org.Id, Ct);
        Assert.NotNull((await WaitForAsync(org.Id, next.Id)).CompletedAt);
    }

    [Fact]
    public async Task Cli_RotatesOneOrganization_ShowsProgress_AndStatus()
    {
        var org = await EncryptedOrganizations.CreateAsync(host, "per Kommandozeile");
        using var output = new StringWriter();

        Assert.Equal(0, await KastellCli.RunAsync(host.Services, ["rotate-keys", "--organization", org.Slug], output, TestContext.Current.CancellationToken));

        Assert.Contains($"New data key for '{org.Slug}' is in use", output.ToString(), StringComparison.Ordinal);
        Assert.Contains($"'{org.Slug}': completed: 1 of 1 value(s) re-encrypted", output.ToString(), StringComparison.Ordinal);
        Assert.Single(await KeyIdsAsync(org.Id));
        using var status = new StringWriter();
        Assert.Equal(0, await KastellCli.RunAsync(host.Services, ["key-status"], status, TestContext.Current.CancellationToken));
        Assert.Matches($@"{org.Slug}: rotation [0-9a-f-]+ requested .*, completed: 1 of 1", status.ToString());
    }

    [Fact]
    public async Task Cli_UnknownOrganization_IsRefused()
    {
        using var output = new StringWriter();
        Assert.Equal(2, await KastellCli.RunAsync(host.Services, ["rotate-keys", "--organization", "no-such-org"], output, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Rotation_OfAnotherOrganization_LeavesThisOneAlone()
    {
        var mine = await EncryptedOrganizations.CreateAsync(host, "meins");
        var theirs = await EncryptedOrganizations.CreateAsync(host, "deren");
        var before = await EncryptedOrganizations.StoredDescriptionAsync(host, mine);

        var job = await host.Services.GetRequiredService<DataKeyRotation>().RequestAsync(theirs.Id, Ct);
        await WaitForAsync(theirs.Id, job.Id);

        Assert.Equal(before, await EncryptedOrganizations.StoredDescriptionAsync(host, mine));
        Assert.Single(await KeyIdsAsync(mine.Id));
    }

    private async Task<DataKeyRotationJob> WaitForAsync(Guid organizationId, Guid jobId)
    {
        var rotation = host.Services.GetRequiredService<DataKeyRotation>();
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var job = (await rotation.JobsAsync(organizationId, Ct)).Single(j => j.Id == jobId);
            if (!job.IsPending)
            {
                return job;
            }

            await Task.Delay(100, Ct);
        }

        throw new TimeoutException("The background worker did not finish the rotation within 30 s.");
    }

    private async Task<Guid> KeyIdOfStoredDescriptionAsync(Organization org)
    {
        var stored = await EncryptedOrganizations.StoredDescriptionAsync(host, org);
        return FieldCipher.KeyIdOf(stored, new FieldLocation("Organizations", "ConfidentialDescription", $"[\"{org.Id}\"]"));
    }

    private async Task<List<Guid>> KeyIdsAsync(Guid organizationId)
    {
        var (scope, db) = host.OpenDb(organizationId);
        await using (scope)
        {
            return await db.DataKeys.Where(k => k.OrganizationId == organizationId).Select(k => k.Id).ToListAsync(Ct);
        }
    }
}

public sealed class DataKeyRotationTestsOnSqliteWithKeyFile(SqliteHost host) : DataKeyRotationTests(host), IClassFixture<SqliteHost>;

public sealed class DataKeyRotationTestsOnPostgresWithKeyFile(PostgresHost host) : DataKeyRotationTests(host), IClassFixture<PostgresHost>;

public sealed class DataKeyRotationTestsOnSqliteWithSoftHsm(SqliteHsmHost host) : DataKeyRotationTests(host), IClassFixture<SqliteHsmHost>;

public sealed class DataKeyRotationTestsOnPostgresWithSoftHsm(PostgresHsmHost host) : DataKeyRotationTests(host), IClassFixture<PostgresHsmHost>;
