using System.Net;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Platform.Hosting;

/// <summary>
/// In the embedded mode the data directory, the SQLite database with its WAL and shared-memory files, and the mail
/// outbox (whose .eml files hold live reset links) belong to the service account alone: created 0700/0600 whatever
/// the umask, and a start-up on broader permissions is refused, as for the key files.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes are what is tested
public sealed class OwnerOnlyFilesTests(SmtpSink mail)
{
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunningHost_KeepsTheDatabaseAndItsWalAndShmFiles_OwnerOnly()
    {
        await using var host = new SqliteHost(mail);
        using var browser = host.CreateBrowser();
        await Journeys.SignUpAsync(browser, Journeys.UniqueEmail("files"), "Files Org");
        // SQLite removes the WAL when its last connection closes (the pool prunes idle ones): hold one of the host's open.
        var (scope, db) = host.OpenDb();
        await using var _ = scope;
        await db.Database.OpenConnectionAsync(Ct);
        await db.Database.ExecuteSqlRawAsync("SELECT count(*) FROM sqlite_master", Ct);

        var database = Path.Combine(host.DataDirectory, "kastell.db");
        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(host.DataDirectory));
        foreach (var file in new[] { database, database + "-wal", database + "-shm" })
        {
            Assert.True(File.Exists(file), $"{Path.GetFileName(file)} does not exist");
            Assert.True(OwnerOnlyFile == File.GetUnixFileMode(file), $"{Path.GetFileName(file)} is {File.GetUnixFileMode(file)}");
        }
    }

    [Fact]
    public async Task FreshDataDirectory_UnderAPermissiveUmask_IsCreatedOwnerOnly()
    {
        var parent = Directory.CreateTempSubdirectory("kastell-umask-").FullName;
        try
        {
            var data = Path.Combine(parent, "data");
            var result = await ProcessRunner.RunAsync(
                "sh",
                ["-c", "umask 000; exec dotnet \"$0\" migrate \"--Kastell:DataDirectory=$1\" --Logging:LogLevel:Default=Warning", Path.Combine(AppContext.BaseDirectory, "Kastell.Server.dll"), data],
                AppContext.BaseDirectory,
                runAsUser: null,
                TimeSpan.FromMinutes(2));

            Assert.True(result.ExitCode == 0, result.Output);
            Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(data));
            Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(Path.Combine(data, "kastell.db")));
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    [Fact]
    public async Task MailOutbox_WithoutSmtp_IsOwnerOnly()
    {
        var data = Directory.CreateTempSubdirectory("kastell-outbox-").FullName;
        try
        {
            await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
            {
                b.UseEnvironment("Development");
                b.UseSetting("Kastell:DataDirectory", data);
                b.UseSetting("Kastell:Database:MigrateOnStartup", "true");
                b.UseSetting("Logging:LogLevel:Default", "Warning");
            });
            using var browser = new TestBrowser(factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") }));
            Assert.Equal(HttpStatusCode.Redirect, (await Journeys.SignUpAsync(browser, Journeys.UniqueEmail("outbox"), "Outbox Org")).StatusCode);

            var outbox = Path.Combine(data, "mail-outbox");
            string? eml = null;
            for (var i = 0; i < 100 && eml is null; i++)
            {
                eml = Directory.Exists(outbox) ? Directory.GetFiles(outbox, "*.eml").FirstOrDefault() : null;
                await Task.Delay(100, Ct);
            }

            Assert.NotNull(eml);
            Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(outbox));
            Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(eml));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Theory]
    [InlineData("", UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute)]
    [InlineData("kastell.db", UnixFileMode.OtherRead)]
    [InlineData("kastell.db-wal", UnixFileMode.GroupRead)]
    [InlineData("mail-outbox", UnixFileMode.OtherExecute)]
    [InlineData("mail-outbox/old.eml", UnixFileMode.OtherRead)]
    public async Task BroaderPermissions_StopStartUp_NamingThePathAndTheFix(string path, UnixFileMode extra)
    {
        await using var host = new SqliteHost(mail);
        var target = Path.Combine(host.DataDirectory, path);
        var isDirectory = path.Length == 0 || path == "mail-outbox";
        if (isDirectory)
        {
            Directory.CreateDirectory(target);
        }
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await File.WriteAllTextAsync(target, "", Ct);
        }

        File.SetUnixFileMode(target, (isDirectory ? OwnerOnlyDirectory : OwnerOnlyFile) | extra);

        var error = Assert.ThrowsAny<Exception>(() => host.Services);

        var message = error.ToString();
        Assert.Contains(Path.GetFullPath(target).TrimEnd('/'), message, StringComparison.Ordinal);
        Assert.Contains(isDirectory ? "chmod 700" : "chmod 600", message, StringComparison.Ordinal);
    }
}
