using System.Security.Cryptography;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Storage;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Platform.Storage;

/// <summary>
/// Uploads through <see cref="Uploads"/> with a real clamd: size limit, type from the bytes, infected files refused
/// and audited, and a scanner outage holding files in quarantine until a rescan releases or rejects them.
/// </summary>
public abstract class UploadsTests(KastellHost host)
{
    public const long MaxBytes = 1024 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly AuditActor Actor = AuditActor.System("upload-test");

    [Fact]
    public async Task CleanFile_IsAccepted_WithTheTypeOfItsBytes_NotItsName()
    {
        var (org, space) = await CreateSpaceAsync();
        byte[] pdf = [.. "%PDF-1.7\n"u8, .. RandomNumberGenerator.GetBytes(100_000)];

        var result = await WithUploads(org, u => u.UploadAsync(space, "harmlos.txt", new MemoryStream(pdf), Actor, Ct));

        Assert.Equal(UploadOutcome.Accepted, result.Outcome);
        var (record, content) = await ReadAsync(org, result.File!.Id) ?? throw new InvalidOperationException("Not readable.");
        Assert.Equal(ContentSniffer.Pdf, record.ContentType);
        Assert.Equal(StoredObjectStatus.Available, record.Status);
        Assert.Equal(pdf, content);
    }

    [Fact]
    public async Task WhenItsAuditEventCannotBeWritten_TheFileIsNotReleased()
    {
        var (org, space) = await CreateSpaceAsync();
        byte[] pdf = [.. "%PDF-1.7\n"u8, .. RandomNumberGenerator.GetBytes(1_000)];
        await ExecuteAsync(org, FailInsertsOf(UploadEvents.FileUploaded));
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => WithUploads(org, u => u.UploadAsync(space, "bericht.pdf", new MemoryStream(pdf), Actor, Ct)));
        }
        finally
        {
            await ExecuteAsync(org, RemoveInjectedFailure);
        }

        // The status change rolled back with the event: the file stays in quarantine, hidden, for a rescan.
        var (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            var stored = await db.StoredObjects.AsNoTracking().SingleAsync(Ct);
            Assert.Equal(StoredObjectStatus.Quarantined, stored.Status);
        }

        Assert.Null(await ReadAsync(org, (await WithUploads(org, u => u.QuarantinedAsync(Ct))).Single()));
        Assert.Empty(await AuditAsync(org, UploadEvents.FileUploaded));
    }

    [Fact]
    public async Task InfectedFile_IsRefused_Audited_AndNotKept()
    {
        var (org, space) = await CreateSpaceAsync();

        var result = await WithUploads(org, u => u.UploadAsync(space, "eicar.txt", new MemoryStream(Clamd.Eicar), Actor, Ct));

        Assert.Equal(UploadOutcome.Infected, result.Outcome);
        Assert.Null(result.File);
        await AssertNothingStoredAsync(org, space);
        var audited = await AuditAsync(org, UploadEvents.FileMalwareFound);
        Assert.Equal(AuditOutcome.Denied, Assert.Single(audited).Outcome);
        Assert.Contains(Clamd.SignatureName, audited[0].Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FileOverTheLimit_IsRefused_AndNothingIsStored()
    {
        var (org, space) = await CreateSpaceAsync();

        var result = await WithUploads(org, u => u.UploadAsync(space, "gross.txt", new MemoryStream(new byte[MaxBytes + 1]), Actor, Ct));

        Assert.Equal(UploadOutcome.TooLarge, result.Outcome);
        await AssertNothingStoredAsync(org, space);
        Assert.Equal(0, StorageProbe.FilesIn(host.Storage.StagingDirectory(StorageContainers.OfSpace(space))));
        var exactly = await WithUploads(org, u => u.UploadAsync(space, "genau.txt", new MemoryStream(RepeatedText(MaxBytes)), Actor, Ct));
        Assert.Equal(UploadOutcome.Accepted, exactly.Outcome); // the limit itself is allowed
    }

    [Fact]
    public async Task UnsupportedType_IsRefused_AndNothingIsStored()
    {
        var (org, space) = await CreateSpaceAsync();

        var result = await WithUploads(org, u => u.UploadAsync(space, "tool.pdf", new MemoryStream([0x7F, .. "ELF"u8, 2, 1, 1, 0, 0, 0]), Actor, Ct));

        Assert.Equal(UploadOutcome.UnsupportedType, result.Outcome);
        await AssertNothingStoredAsync(org, space);
    }

    [Fact]
    public async Task ScannerOutage_Quarantines_AndARescanReleasesOrRejects()
    {
        var (org, space) = await CreateSpaceAsync();
        var clean = "Auditbericht: keine Abweichungen"u8.ToArray();

        var (held, heldInfected) = await UploadWhileClamdIsDownAsync(org, space, clean);

        Assert.Equal(UploadOutcome.Quarantined, held.Outcome);
        Assert.Equal(UploadOutcome.Quarantined, heldInfected.Outcome);
        Assert.Null(await ReadAsync(org, held.File!.Id)); // not visible to users
        Assert.Equal(2, await host.Storage.CountObjectsAsync(StorageContainers.OfSpace(space), Ct)); // but stored, encrypted
        var (scope2, db) = host.OpenDb(org);
        await using (scope2)
        {
            Assert.Equal(StoredObjectStatus.Quarantined, (await db.StoredObjects.SingleAsync(o => o.Id == held.File.Id, Ct)).Status);
        }

        Assert.Equal(2, (await AuditAsync(org, UploadEvents.FileQuarantined)).Count);
        Assert.Equal(2, (await WithUploads(org, u => u.QuarantinedAsync(Ct))).Count);

        var released = await WithUploads(org, u => u.RescanAsync(held.File.Id, Actor, Ct));
        var rejected = await WithUploads(org, u => u.RescanAsync(heldInfected.File!.Id, Actor, Ct));

        Assert.Equal(UploadOutcome.Accepted, released.Outcome);
        Assert.Equal(clean, (await ReadAsync(org, held.File.Id))!.Value.Content);
        Assert.Equal(UploadOutcome.Infected, rejected.Outcome);
        Assert.Equal(1, await host.Storage.CountObjectsAsync(StorageContainers.OfSpace(space), Ct));
        Assert.Single(await AuditAsync(org, UploadEvents.FileReleased));
        Assert.Single(await AuditAsync(org, UploadEvents.FileMalwareFound));
        Assert.Empty(await WithUploads(org, u => u.QuarantinedAsync(Ct)));
    }

    [Fact]
    public async Task ScheduledRescan_ReleasesAndRemovesWhatWasHeldDuringAnOutage()
    {
        var (org, space) = await CreateSpaceAsync();
        var clean = "Protokoll: Zutrittskontrolle geprüft"u8.ToArray();
        var (held, heldInfected) = await UploadWhileClamdIsDownAsync(org, space, clean);
        Assert.Equal((UploadOutcome.Quarantined, UploadOutcome.Quarantined), (held.Outcome, heldInfected.Outcome));

        // clamd is back: one pass of the scheduled job (other tests' organizations may hold files too).
        var pass = await host.Services.GetRequiredService<QuarantineRescanner>().RunOnceAsync(Ct);

        Assert.True(pass.Released >= 1 && pass.Rejected >= 1, $"Pass: {pass}");
        Assert.Equal(clean, (await ReadAsync(org, held.File!.Id))!.Value.Content);
        Assert.Empty(await WithUploads(org, u => u.QuarantinedAsync(Ct)));
        Assert.Equal(1, await host.Storage.CountObjectsAsync(StorageContainers.OfSpace(space), Ct));
        var released = Assert.Single(await AuditAsync(org, UploadEvents.FileReleased));
        Assert.Equal(("quarantine-rescan", held.File.Id.ToString()), (released.ActorId, released.TargetId));
        Assert.Equal(heldInfected.File!.Id.ToString(), Assert.Single(await AuditAsync(org, UploadEvents.FileMalwareFound)).TargetId);
    }

    [Fact]
    public async Task ScheduledRescan_PassesOverAFileTooLongForClamd_AndScansTheRest()
    {
        var (org, space) = await CreateSpaceAsync();
        var small = "Schulungsnachweis"u8.ToArray();
        var large = RepeatedText(Clamd.SmallStreamLimit + 100_000);
        UploadResult heldLarge, heldSmall;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<Tenant>().Enter(org);
            var down = ActivatorUtilities.CreateInstance<Uploads>(scope.ServiceProvider, new ClamdScanner(Clamd.Unreachable, TimeSpan.FromSeconds(5)));
            heldLarge = await down.UploadAsync(space, "gross.txt", new MemoryStream(large), Actor, Ct); // first: rescanned first
            heldSmall = await down.UploadAsync(space, "klein.txt", new MemoryStream(small), Actor, Ct);
        }

        // clamd is back, but with a stream limit below the large file: that file stays held, the pass goes on.
        var rescanner = ActivatorUtilities.CreateInstance<QuarantineRescanner>(host.Services, new ClamdScanner(Clamd.SmallLimitEndpoint, TimeSpan.FromSeconds(30)));
        var pass = await rescanner.RunOnceAsync(Ct);

        Assert.True(pass.StillHeld >= 1 && pass.Released >= 1, $"Pass: {pass}");
        Assert.Equal(small, (await ReadAsync(org, heldSmall.File!.Id))!.Value.Content);
        Assert.Equal([heldLarge.File!.Id], await WithUploads(org, u => u.QuarantinedAsync(Ct)));
    }

    [Fact]
    public async Task StatusChange_OfAFileNoLongerQuarantined_IsRefused()
    {
        var (org, space) = await CreateSpaceAsync();
        var (held, _) = await UploadWhileClamdIsDownAsync(org, space, "Notfallplan"u8.ToArray());
        var first = await WithUploads(org, u => u.RescanAsync(held.File!.Id, Actor, Ct));
        Assert.Equal(UploadOutcome.Accepted, first.Outcome);

        // What a second scan that read the file while it was still quarantined (another host's pass) attempts after the first.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<Tenant>().Enter(org);
            var spaceFiles = scope.ServiceProvider.GetRequiredService<SpaceFiles>();
            Assert.False(await spaceFiles.SetStatusAsync(held.File!.Id, StoredObjectStatus.Available, ContentSniffer.Text, Ct));
        }

        Assert.Single(await AuditAsync(org, UploadEvents.FileReleased));
    }

    [Fact]
    public async Task ScannerStreamLimitBelowTheUpload_Quarantines_NeverAccepts()
    {
        var (org, space) = await CreateSpaceAsync();
        var text = RepeatedText(Clamd.SmallStreamLimit + 100_000);

        UploadResult held;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<Tenant>().Enter(org);
            var limited = ActivatorUtilities.CreateInstance<Uploads>(scope.ServiceProvider, new ClamdScanner(Clamd.SmallLimitEndpoint, TimeSpan.FromSeconds(30)));
            held = await limited.UploadAsync(space, "gross.txt", new MemoryStream(text), Actor, Ct);
        }

        Assert.Equal(UploadOutcome.Quarantined, held.Outcome);
        Assert.Null(await ReadAsync(org, held.File!.Id));
        var quarantined = Assert.Single(await AuditAsync(org, UploadEvents.FileQuarantined));
        Assert.Contains(ScanResult.StreamLimitExceeded, quarantined.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClamdReplies_AreInterpreted_NeverAsClean()
    {
        var scanner = new ClamdScanner(Clamd.SmallLimitEndpoint, TimeSpan.FromSeconds(30));

        var small = await scanner.ScanAsync(new MemoryStream("klein"u8.ToArray()), Ct);
        var large = await scanner.ScanAsync(new MemoryStream(RepeatedText(Clamd.SmallStreamLimit + 1)), Ct);
        var infected = await scanner.ScanAsync(new MemoryStream(Clamd.Eicar), Ct);

        Assert.Equal(ScanVerdict.Clean, small.Verdict);
        Assert.Equal(new ScanResult(ScanVerdict.Unavailable, Reason: ScanResult.StreamLimitExceeded), large);
        Assert.Equal(ScanVerdict.Infected, infected.Verdict);
    }

    private string[] FailInsertsOf(AuditEventType type) => host is PostgresHost
        ?
        [
            $"CREATE FUNCTION injected_failure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.\"Type\" = {type.Value} THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$",
            "CREATE TRIGGER injected_failure BEFORE INSERT ON \"AuditEvents\" FOR EACH ROW EXECUTE FUNCTION injected_failure()",
        ]
        : [$"CREATE TRIGGER injected_failure BEFORE INSERT ON \"AuditEvents\" WHEN NEW.\"Type\" = {type.Value} BEGIN SELECT RAISE(ABORT, 'injected failure'); END"];

    private string[] RemoveInjectedFailure => host is PostgresHost
        ? ["DROP TRIGGER injected_failure ON \"AuditEvents\"", "DROP FUNCTION injected_failure()"]
        : ["DROP TRIGGER injected_failure"];

    private async Task ExecuteAsync(Guid org, string[] statements)
    {
        var (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            foreach (var sql in statements)
            {
                await db.Database.ExecuteSqlRawAsync(sql, Ct);
            }
        }
    }

    /// <summary>Uploads a clean file and EICAR through a scanner that cannot be reached: both are held in quarantine.</summary>
    private async Task<(UploadResult Clean, UploadResult Infected)> UploadWhileClamdIsDownAsync(Guid org, Guid space, byte[] clean)
    {
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Tenant>().Enter(org);
        var down = ActivatorUtilities.CreateInstance<Uploads>(scope.ServiceProvider, new ClamdScanner(Clamd.Unreachable, TimeSpan.FromSeconds(5)));
        return (await down.UploadAsync(space, "bericht.txt", new MemoryStream(clean), Actor, Ct),
            await down.UploadAsync(space, "eicar.txt", new MemoryStream(Clamd.Eicar), Actor, Ct));
    }

    private static byte[] RepeatedText(long length) => Enumerable.Repeat((byte)'a', (int)length).ToArray();

    private async Task AssertNothingStoredAsync(Guid org, Guid space)
    {
        var (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            Assert.False(await db.StoredObjects.AnyAsync(Ct));
        }

        Assert.Equal(0, await host.Storage.CountObjectsAsync(StorageContainers.OfSpace(space), Ct));
    }

    private async Task<List<AuditEvent>> AuditAsync(Guid org, AuditEventType type)
    {
        var (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            return await db.AuditEvents.Where(e => e.OrganizationId == org && e.Type == type).ToListAsync(Ct);
        }
    }

    private async Task<T> WithUploads<T>(Guid org, Func<Uploads, Task<T>> action)
    {
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Tenant>().Enter(org);
        return await action(scope.ServiceProvider.GetRequiredService<Uploads>());
    }

    private async Task<(StoredObject Record, byte[] Content)?> ReadAsync(Guid org, Guid id)
    {
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Tenant>().Enter(org);
        if (await scope.ServiceProvider.GetRequiredService<SpaceFiles>().OpenReadAsync(id, Ct) is not var (record, stream))
        {
            return null;
        }

        await using (stream)
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, Ct);
            return (record, copy.ToArray());
        }
    }

    private async Task<(Guid Organization, Guid Space)> CreateSpaceAsync()
    {
        var org = await EncryptedOrganizations.CreateAsync(host, "mit Uploads");
        var space = new Space { Id = Guid.NewGuid(), OrganizationId = org.Id, Slug = "uploads", Name = "Uploads", CreatedAt = DateTimeOffset.UtcNow };
        var (scope, db) = host.OpenDb(org.Id);
        await using (scope)
        {
            db.Spaces.Add(space);
            await db.SaveChangesAsync(Ct);
        }

        await host.Services.GetRequiredService<IObjectStore>().CreateContainerAsync(StorageContainers.OfSpace(space.Id), Ct);
        return (org.Id, space.Id);
    }
}

public sealed class UploadsSqliteHost(SmtpSink mail) : SqliteHost(mail)
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        new("Kastell:Storage:Clamd", Clamd.Endpoint),
        new("Kastell:Storage:MaxUploadBytes", UploadsTests.MaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];
}

public sealed class UploadsPostgresHost(PostgresCluster cluster, SmtpSink mail) : PostgresHost(cluster, mail)
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        new("Kastell:Storage:Clamd", Clamd.Endpoint),
        new("Kastell:Storage:MaxUploadBytes", UploadsTests.MaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];
}

public sealed class UploadsTestsOnSqlite(UploadsSqliteHost host) : UploadsTests(host), IClassFixture<UploadsSqliteHost>;

public sealed class UploadsTestsOnPostgres(UploadsPostgresHost host) : UploadsTests(host), IClassFixture<UploadsPostgresHost>;
