using System.Net;
using System.Security.Cryptography;
using Kastell.Server.Features.Organizations.Deletion;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Encryption;
using Kastell.Server.Platform.Storage;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Platform.Storage;

/// <summary>
/// Files in a Space's own storage container, encrypted by Kastell, on each database with each key provider: what
/// lands in storage, what comes back, and what is refused when the file, its record or its key is damaged or gone.
/// The same tests run on the file-system backend and on S3 (a real S3-protocol server on loopback).
/// </summary>
public abstract class SpaceFilesTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IObjectStore Store => host.Services.GetRequiredService<IObjectStore>();

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task CreatingASpace_CreatesItsStorageContainer()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);

        Assert.Equal(HttpStatusCode.Redirect, (await TenancyTests.CreateSpaceAsync(browser, user.OrganizationSlug, "Ablage")).StatusCode);

        Guid org;
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            org = await db.Organizations.Where(o => o.Slug == user.OrganizationSlug).Select(o => o.Id).SingleAsync(Ct);
        }

        Guid spaceId;
        (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            spaceId = await db.Spaces.Where(s => s.Name == "Ablage").Select(s => s.Id).SingleAsync(Ct);
        }

        Assert.True(await Store.ContainerExistsAsync(StorageContainers.OfSpace(spaceId), Ct));
        if (host.Storage is FileSystemStorageProbe files)
        {
            var directory = files.ContainerDirectory(StorageContainers.OfSpace(spaceId));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task UploadedFile_IsCiphertextOnDisk_WithEncryptedRecord_AndReadsBack()
    {
        var (org, space) = await CreateSpaceAsync();
        var plain = RandomNumberGenerator.GetBytes((1024 * 1024) + 17);

        var stored = await UploadAsync(org, space, "Prüfbericht 2026.pdf", plain);

        var inStorage = await StoredBytesAsync(space, stored.Id);
        Assert.Equal(ObjectCipher.CiphertextLength(plain.Length), inStorage.Length);
        Assert.Equal(-1, inStorage.AsSpan().IndexOf(plain.AsSpan(4096, 32)));
        Assert.Equal(0, StorageProbe.FilesIn(host.Storage.StagingDirectory(StorageContainers.OfSpace(space))));
        if (host.Storage is FileSystemStorageProbe files)
        {
            var file = Path.Combine(files.ContainerDirectory(StorageContainers.OfSpace(space)), stored.Id.ToString("N"));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
        var raw = await RawDatabase.TenantColumnAsync(host, org,
            """SELECT "FileName" || '|' || "Sha256" || '|' || "ContentKey" FROM "StoredObjects" WHERE lower(CAST("Id" AS TEXT)) = @id""",
            ("id", stored.Id.ToString()));
        Assert.Single(raw);
        Assert.All(raw, r => Assert.All(r!.Split('|'), column => Assert.StartsWith(FieldCipher.Prefix, column, StringComparison.Ordinal)));
        Assert.DoesNotContain(raw, r => r!.Contains("Prüfbericht", StringComparison.Ordinal));

        host.Services.GetRequiredService<DataKeyRing>().Forget();
        var (record, content) = await ReadAsync(org, stored.Id);
        Assert.Equal("Prüfbericht 2026.pdf", record.FileName);
        Assert.Equal(plain.Length, record.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(plain)), record.Sha256);
        Assert.Equal(plain, content);
    }

    [Fact]
    public async Task RangeRead_DecryptsOnlyThatRange()
    {
        var (org, space) = await CreateSpaceAsync();
        var plain = RandomNumberGenerator.GetBytes(5 * ObjectCipher.ChunkSize);
        var stored = await UploadAsync(org, space, "gross.bin", plain);

        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Kastell.Server.Platform.Tenancy.Tenant>().Enter(org);
        var (_, stream) = (await scope.ServiceProvider.GetRequiredService<SpaceFiles>().OpenReadAsync(stored.Id, Ct))!.Value;
        await using (stream)
        {
            stream.Position = (3 * ObjectCipher.ChunkSize) - 5;
            var buffer = new byte[10];
            await stream.ReadExactlyAsync(buffer, Ct);
            Assert.Equal(plain.AsSpan((3 * ObjectCipher.ChunkSize) - 5, 10).ToArray(), buffer);
        }
    }

    [Fact]
    public async Task TruncatedOrAlteredCiphertext_IsRefused()
    {
        var (org, space) = await CreateSpaceAsync();
        var truncated = await UploadAsync(org, space, "a.bin", RandomNumberGenerator.GetBytes(100_000));
        var altered = await UploadAsync(org, space, "b.bin", RandomNumberGenerator.GetBytes(100_000));
        var cut = await StoredBytesAsync(space, truncated.Id);
        await ReplaceStoredBytesAsync(space, truncated.Id, cut[..^1]);
        var bytes = await StoredBytesAsync(space, altered.Id);
        bytes[^20] ^= 0x40;
        await ReplaceStoredBytesAsync(space, altered.Id, bytes);

        Assert.Contains("truncated", (await Assert.ThrowsAsync<DecryptionFailedException>(() => ReadAsync(org, truncated.Id))).Message, StringComparison.Ordinal);
        Assert.Contains("failed authentication", (await Assert.ThrowsAsync<DecryptionFailedException>(() => ReadAsync(org, altered.Id))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingStoredFile_IsAClearError()
    {
        var (org, space) = await CreateSpaceAsync();
        var stored = await UploadAsync(org, space, "weg.bin", [1, 2, 3]);
        await Store.DeleteAsync(StorageContainers.OfSpace(space), stored.Id.ToString("N"), Ct);

        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => ReadAsync(org, stored.Id));
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingDataKey_MakesTheFileUnreadable()
    {
        var (org, space) = await CreateSpaceAsync();
        var stored = await UploadAsync(org, space, "geheim.txt", "streng geheim"u8.ToArray());
        var (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            await db.DataKeys.Where(k => k.OrganizationId == org).ExecuteDeleteAsync(Ct);
        }

        host.Services.GetRequiredService<DataKeyRing>().Forget();
        var error = await EncryptionAssert.RefusedAsync<KeyUnavailableException>(() => ReadAsync(org, stored.Id));
        Assert.DoesNotContain("streng", error.Message, StringComparison.Ordinal);
        Assert.NotEmpty(await StoredBytesAsync(space, stored.Id)); // the ciphertext is still there, and useless
    }

    [Fact]
    public async Task AnotherOrganization_CannotReadOrUploadIntoTheSpace()
    {
        var (org, space) = await CreateSpaceAsync();
        var stored = await UploadAsync(org, space, "intern.txt", "nur für uns"u8.ToArray());
        var (other, _) = await CreateSpaceAsync();

        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Kastell.Server.Platform.Tenancy.Tenant>().Enter(other);
        var files = scope.ServiceProvider.GetRequiredService<SpaceFiles>();
        Assert.Null(await files.OpenReadAsync(stored.Id, Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() => files.UploadAsync(space, "fremd.txt", "text/plain", new MemoryStream([1]), Ct));
        Assert.Equal(1, await host.Storage.CountObjectsAsync(StorageContainers.OfSpace(space), Ct));
    }

    [Fact]
    public async Task DataKeyRotation_ReencryptsTheFileKeys_AndFilesStillRead()
    {
        var (org, space) = await CreateSpaceAsync();
        var plain = RandomNumberGenerator.GetBytes(200_000);
        var stored = await UploadAsync(org, space, "rotiert.bin", plain);

        var job = await host.Services.GetRequiredService<DataKeyRotation>().RequestAsync(org, Ct);
        var done = await host.Services.GetRequiredService<DataKeyReencryption>().RunAsync(job.Id, org, null, Ct);

        Assert.NotNull(done.CompletedAt);
        Assert.Equal(4, done.RowsTotal); // the organization's description and the file's name, hash and key
        host.Services.GetRequiredService<DataKeyRing>().Forget();
        Assert.Equal(plain, (await ReadAsync(org, stored.Id)).Content);
    }

    [Fact]
    public async Task DeletingTheOrganization_ShredsItsFiles()
    {
        var (org, space) = await CreateSpaceAsync();
        await UploadAsync(org, space, "akte.txt", "Akte"u8.ToArray());

        await host.Services.GetRequiredService<OrganizationDeletion>().DeleteAsync(org, AuditActor.System("test"), Ct);

        Assert.False(await Store.ContainerExistsAsync(StorageContainers.OfSpace(space), Ct));
        var (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            Assert.False(await db.StoredObjects.AnyAsync(Ct));
            Assert.False(await db.DataKeys.AnyAsync(k => k.OrganizationId == org, Ct));
        }
    }

    /// <summary>The ciphertext as the backend holds it.</summary>
    private async Task<byte[]> StoredBytesAsync(Guid space, Guid id)
    {
        await using var stream = await Store.OpenReadAsync(StorageContainers.OfSpace(space), id.ToString("N"), Ct);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }

    /// <summary>Damages a stored file as an attacker with access to the backend could.</summary>
    private async Task ReplaceStoredBytesAsync(Guid space, Guid id, byte[] bytes)
    {
        var container = StorageContainers.OfSpace(space);
        await Store.DeleteAsync(container, id.ToString("N"), Ct);
        await using var upload = await Store.BeginUploadAsync(container, id.ToString("N"), Ct);
        await upload.Content.WriteAsync(bytes, Ct);
        await upload.CommitAsync(Ct);
    }

    private async Task<(Guid Organization, Guid Space)> CreateSpaceAsync()
    {
        var org = await EncryptedOrganizations.CreateAsync(host, "mit Dateien");
        var space = new Space { Id = Guid.NewGuid(), OrganizationId = org.Id, Slug = "dateien", Name = "Dateien", CreatedAt = DateTimeOffset.UtcNow };
        var (scope, db) = host.OpenDb(org.Id);
        await using (scope)
        {
            db.Spaces.Add(space);
            await db.SaveChangesAsync(Ct);
        }

        await host.Services.GetRequiredService<IObjectStore>().CreateContainerAsync(StorageContainers.OfSpace(space.Id), Ct);
        return (org.Id, space.Id);
    }

    private async Task<StoredObject> UploadAsync(Guid org, Guid space, string name, byte[] content)
    {
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Kastell.Server.Platform.Tenancy.Tenant>().Enter(org);
        return await scope.ServiceProvider.GetRequiredService<SpaceFiles>().UploadAsync(space, name, "application/octet-stream", new MemoryStream(content), Ct);
    }

    private async Task<(StoredObject Record, byte[] Content)> ReadAsync(Guid org, Guid id)
    {
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Kastell.Server.Platform.Tenancy.Tenant>().Enter(org);
        var (record, stream) = (await scope.ServiceProvider.GetRequiredService<SpaceFiles>().OpenReadAsync(id, Ct))!.Value;
        await using (stream)
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, Ct);
            return (record, copy.ToArray());
        }
    }
}

public sealed class SpaceFilesTestsOnSqliteWithKeyFile(SqliteHost host) : SpaceFilesTests(host), IClassFixture<SqliteHost>;

public sealed class SpaceFilesTestsOnPostgresWithKeyFile(PostgresHost host) : SpaceFilesTests(host), IClassFixture<PostgresHost>;

public sealed class SpaceFilesTestsOnSqliteWithSoftHsm(SqliteHsmHost host) : SpaceFilesTests(host), IClassFixture<SqliteHsmHost>;

public sealed class SpaceFilesTestsOnPostgresWithSoftHsm(PostgresHsmHost host) : SpaceFilesTests(host), IClassFixture<PostgresHsmHost>;

public sealed class SpaceFilesTestsOnSqliteWithKeyFileAndS3(SqliteS3Host host) : SpaceFilesTests(host), IClassFixture<SqliteS3Host>;

public sealed class SpaceFilesTestsOnPostgresWithSoftHsmAndS3(PostgresHsmS3Host host) : SpaceFilesTests(host), IClassFixture<PostgresHsmS3Host>;
