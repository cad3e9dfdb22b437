using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Support;

/// <summary>
/// One Kastell host per test class on a given database provider, with its own data directory. Subclasses pick the
/// provider; test classes derive from an abstract base once per provider so every data test runs on both.
/// </summary>
public abstract class KastellHost : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("kastell-test-").FullName;

    public abstract string Provider { get; }

    /// <summary>This host's own data directory (SQLite database, key files).</summary>
    public string DataDirectory => _dataDirectory;

    /// <summary>The database this host uses, for a second instance on the same data.</summary>
    public string DatabaseConnectionString =>
        ConnectionString ?? $"Data Source={Path.Combine(_dataDirectory, "kastell.db")};Foreign Keys=True;Pooling=True";

    /// <summary>The settings beyond the defaults, so a second instance can be configured alike.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings => ExtraSettings;

    /// <summary>The SMTP sink Kastell sends to (set by the provider hosts); without one, start-up fails outside Development.</summary>
    protected SmtpSink? MailSink { get; init; }

    public SmtpSink Mail => MailSink ?? throw new InvalidOperationException("This host has no SMTP sink.");

    public bool HasMailSink => MailSink is not null;

    protected abstract string? ConnectionString { get; }

    /// <summary>A look into the storage backend this host uses (the file system unless a subclass picks S3).</summary>
    public virtual StorageProbe Storage => new FileSystemStorageProbe(Path.Combine(_dataDirectory, "objects"));

    /// <summary>Extra configuration a test class needs (e.g. a tight rate limit).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [];

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Kastell:DataDirectory", _dataDirectory);
        builder.UseSetting("Kastell:Database:Provider", Provider);
        builder.UseSetting("Kastell:Database:MigrateOnStartup", "true");
        builder.UseSetting("Kastell:RateLimits:AuthenticationPerMinute", "10000");
        builder.UseSetting("Kastell:Storage:RescanInterval", "00:00:00"); // tests that need a rescan pass run it themselves
        builder.UseSetting("Logging:LogLevel:Default", Environment.GetEnvironmentVariable("KASTELL_TEST_LOGLEVEL") ?? "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", Environment.GetEnvironmentVariable("KASTELL_TEST_LOGLEVEL") ?? "Warning");
        if (MailSink is not null)
        {
            builder.UseSetting("Kastell:Email:SmtpHost", MailSink.Host);
            builder.UseSetting("Kastell:Email:SmtpPort", MailSink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.UseSetting("Kastell:Email:AllowInsecureLoopbackSmtp", "true");
            builder.UseSetting("Kastell:Email:PublicBaseUrl", PublicBaseUrl);
        }

        if (ConnectionString is not null)
        {
            builder.UseSetting("Kastell:Database:ConnectionString", ConnectionString);
        }

        foreach (var (key, value) in ExtraSettings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>The base of links in e-mails; the same host the test browser talks to.</summary>
    public const string PublicBaseUrl = "https://localhost";

    public TestBrowser CreateBrowser() =>
        new(CreateClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false,
            HandleCookies = true,
            BaseAddress = new Uri("https://localhost"),
        }))
        { Host = this };

    /// <summary>A browser whose cookie jar the test can read and copy (to replay an old session cookie, for instance).</summary>
    public TestBrowser CreateBrowser(System.Net.CookieContainer cookies) =>
        new(CreateDefaultClient(new Uri("https://localhost"), new Microsoft.AspNetCore.Mvc.Testing.Handlers.CookieContainerHandler(cookies))) { Host = this };

    /// <summary>A data context scoped to one organization (or none), as a request would see it.</summary>
    public (AsyncServiceScope Scope, KastellDbContext Db) OpenDb(Guid? organizationId = null)
    {
        var scope = Services.CreateAsyncScope();
        if (organizationId is { } org)
        {
            scope.ServiceProvider.GetRequiredService<Tenant>().Enter(org);
        }

        return (scope, scope.ServiceProvider.GetRequiredService<KastellDbContext>());
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is not worth failing the run for; the OS temp cleaner removes it.
        }

        GC.SuppressFinalize(this);
    }
}

public class SqliteHost : KastellHost
{
    public SqliteHost(SmtpSink mail) => MailSink = mail;

    public override string Provider => "Sqlite";

    protected override string? ConnectionString => null;
}

/// <summary>
/// Kastell on PostgreSQL connecting as an ordinary role that owns its database — as in production. A superuser
/// would bypass row-level security and hide a missing policy.
/// </summary>
public class PostgresHost : KastellHost
{
    private readonly PostgresCluster cluster;
    private string? _connectionString;

    public PostgresHost(PostgresCluster cluster, SmtpSink mail)
    {
        this.cluster = cluster;
        MailSink = mail;
    }

    public override string Provider => "Postgres";

    /// <summary>The application role's connection string (row-level security applies).</summary>
    public string ApplicationConnectionString => _connectionString ?? throw new InvalidOperationException("Not initialized.");

    protected override string? ConnectionString => _connectionString;

    public override async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var admin = await cluster.CreateDatabaseAsync("host", ct);
        var database = new Npgsql.NpgsqlConnectionStringBuilder(admin).Database!;
        var role = "kastell_app_" + Guid.NewGuid().ToString("N")[..12];
        var password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        await using (var connection = new Npgsql.NpgsqlConnection(admin))
        {
            await connection.OpenAsync(ct);
            foreach (var sql in new[]
            {
                $"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '{password}'",
                $"ALTER DATABASE \"{database}\" OWNER TO {role}",
                $"GRANT ALL ON SCHEMA public TO {role}",
            })
            {
                await using var command = new Npgsql.NpgsqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync(ct);
            }
        }

        _connectionString = new Npgsql.NpgsqlConnectionStringBuilder(admin) { Username = role, Password = password }.ConnectionString;
    }
}
