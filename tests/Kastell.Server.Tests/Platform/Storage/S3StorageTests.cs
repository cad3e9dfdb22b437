using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Storage;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Platform.Storage;

/// <summary>
/// The S3 backend's own failure modes (the storage contract itself runs in <see cref="SpaceFilesTests"/>): settings
/// that cannot work stop Kastell at start-up, and an unreachable service fails uploads and reads clearly, leaving
/// nothing stored.
/// </summary>
public sealed class S3StorageTests(SqliteS3Host host) : IClassFixture<SqliteS3Host>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Kastell:Storage:S3:ServiceUrl", "", "ServiceUrl must be an absolute http(s) URL")]
    [InlineData("Kastell:Storage:S3:ServiceUrl", "ftp://127.0.0.1:9", "ServiceUrl must be an absolute http(s) URL")]
    [InlineData("Kastell:Storage:S3:ServiceUrl", "http://s3.example.org", "must use https")]
    [InlineData("Kastell:Storage:S3:Region", "", "Region is required")]
    [InlineData("Kastell:Storage:S3:AccessKey", "", "Kastell:Storage:S3:AccessKey is required")]
    [InlineData("Kastell:Storage:S3:SecretKey", " ", "Kastell:Storage:S3:SecretKey is required")]
    [InlineData("Kastell:Storage:S3:BucketPrefix", "Kastell_", "BucketPrefix must be")]
    [InlineData("Kastell:Storage:S3:ForcePathStyle", "sometimes", "ForcePathStyle")]
    [InlineData("Kastell:Storage:Backend", "Tape", "Backend")]
    [InlineData("Kastell:Storage:RescanInterval", "00:00:00.5", "RescanInterval must be 00:00:00 (off) or between")]
    [InlineData("Kastell:Storage:RescanInterval", "2.00:00:00", "RescanInterval must be 00:00:00 (off) or between")]
    public async Task InvalidS3Configuration_StopsKastellAtStartup(string key, string value, string expected)
    {
        var settings = ValidSettings().Where(s => s.Key != key).Append(new(key, value));
        await using var configured = new ConfiguredHost(host.Mail, settings);

        var error = Assert.ThrowsAny<Exception>(() => configured.Services);
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        Assert.Contains(expected, string.Join(" | ", messages), StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-secret", string.Join(" | ", messages), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableService_FailsUploadAndRead_Clearly_AndStoresNothing()
    {
        var org = await EncryptedOrganizations.CreateAsync(host, "S3 down");
        var space = new Space { Id = Guid.NewGuid(), OrganizationId = org.Id, Slug = "ablage", Name = "Ablage", CreatedAt = DateTimeOffset.UtcNow };
        var (scope, db) = host.OpenDb(org.Id);
        await using (scope)
        {
            db.Spaces.Add(space);
            await db.SaveChangesAsync(Ct);
        }

        var live = host.Services.GetRequiredService<IObjectStore>();
        await live.CreateContainerAsync(StorageContainers.OfSpace(space.Id), Ct);
        using var down = new S3ObjectStore(
            new S3StorageOptions { ServiceUrl = $"http://127.0.0.1:{FreeLoopbackPort.Find()}", AccessKey = S3Server.AccessKey, SecretKey = S3Server.SecretKey },
            Path.Combine(host.DataDirectory, "objects-spool"));

        (scope, db) = host.OpenDb(org.Id);
        await using (scope)
        {
            var files = new SpaceFiles(db, down, TimeProvider.System, scope.ServiceProvider.GetRequiredService<IAuditLog>(), scope.ServiceProvider.GetRequiredService<Kastell.Server.Platform.Authorization.RelationshipWriter>());
            var error = await Assert.ThrowsAsync<ObjectStoreException>(
                () => files.UploadAsync(space.Id, "bericht.txt", "text/plain", new MemoryStream("vertraulich"u8.ToArray()), Ct));
            Assert.Contains("unreachable", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("vertraulich", error.Message, StringComparison.Ordinal);
            Assert.False(await db.StoredObjects.AnyAsync(Ct));
        }

        Assert.Equal(0, await host.Storage.CountObjectsAsync(StorageContainers.OfSpace(space.Id), Ct));
        Assert.Equal(0, StorageProbe.FilesIn(host.Storage.StagingDirectory(StorageContainers.OfSpace(space.Id))));
        var read = await Assert.ThrowsAsync<ObjectStoreException>(() => down.OpenReadAsync(StorageContainers.OfSpace(space.Id), Guid.NewGuid().ToString("N"), Ct));
        Assert.Contains("unreachable", read.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<KeyValuePair<string, string?>> ValidSettings() =>
    [
        new("Kastell:Storage:Backend", "S3"),
        new("Kastell:Storage:S3:ServiceUrl", "https://s3.example.org"),
        new("Kastell:Storage:S3:Region", "eu-central-1"),
        new("Kastell:Storage:S3:AccessKey", "kastell"),
        new("Kastell:Storage:S3:SecretKey", "not-the-secret"),
        new("Kastell:Storage:S3:ForcePathStyle", "true"),
        new("Kastell:Storage:S3:BucketPrefix", "kastell-"),
    ];

    private sealed class ConfiguredHost(SmtpSink mail, IEnumerable<KeyValuePair<string, string?>> settings) : SqliteHost(mail)
    {
        protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => settings;
    }
}
