using System.Data.Common;
using System.Diagnostics;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Storage;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Platform.Encryption;

/// <summary>
/// Saving encrypted fields asks the database for an organization's current data key once per save, not once per
/// field, and SaveChangesAsync asks without blocking. Observed through a command interceptor the test host adds
/// (the SQL EF Core sends, and whether it was sent asynchronously).
/// </summary>
public abstract class FieldKeyLookupTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ManyEncryptedFields_LookUpTheOrganizationsKeyOncePerSave(bool asynchronous)
    {
        var first = await EncryptedOrganizations.CreateAsync(host, "erste");
        var space = await SpaceAsync(first.Id);

        // Twelve encrypted fields (four files) and the organization's own description: one organization's key.
        // (One save writes one tenant's rows: row-level security on PostgreSQL keeps it so.)
        var (scope, db) = host.OpenDb(first.Id);
        await using (scope)
        {
            for (var i = 0; i < 4; i++)
            {
                db.StoredObjects.Add(File(first.Id, space));
            }

            var organization = await db.Organizations.SingleAsync(o => o.Id == first.Id, Ct);
            organization.ConfidentialDescription = "geändert";
            using var commands = new CommandLog(db, ((ICommandRecordingHost)host).Commands);
            if (asynchronous)
            {
                await db.SaveChangesAsync(Ct);
            }
            else
            {
                db.SaveChanges();
            }

            var lookups = commands.Executed.Where(c => c.Text.Contains("DataKeys", StringComparison.Ordinal) && c.Text.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.True(lookups.Count == 1, string.Join("\n---\n", commands.Executed.Select(c => c.Text))); // 13 encrypted fields
            Assert.All(lookups, c => Assert.Equal(asynchronous, c.IsAsync));
        }
    }

    private static StoredObject File(Guid org, Guid space) => new()
    {
        Id = Guid.CreateVersion7(),
        OrganizationId = org,
        SpaceId = space,
        FileName = "bericht.txt",
        Sha256 = new string('0', 64),
        ContentKey = "c2NobMO8c3NlbA==",
        CreatedAt = DateTimeOffset.UtcNow,
    };

    private async Task<Guid> SpaceAsync(Guid org)
    {
        var space = new Space { Id = Guid.NewGuid(), OrganizationId = org, Slug = "s-" + Guid.NewGuid().ToString("N")[..8], Name = "S", CreatedAt = DateTimeOffset.UtcNow };
        var (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            db.Spaces.Add(space);
            await db.SaveChangesAsync(Ct);
        }

        return space.Id;
    }

    /// <summary>The commands one context sends while this is alive (other contexts through the same interceptor are ignored).</summary>
    private sealed class CommandLog : IDisposable
    {
        private readonly DbContext _context;
        private readonly CommandRecorder _recorder;
        private readonly Lock _lock = new();

        public CommandLog(DbContext context, CommandRecorder recorder)
        {
            _context = context;
            _recorder = recorder;
            _recorder.Executing += OnExecuting;
        }

        public List<(string Text, bool IsAsync)> Executed { get; } = [];

        private void OnExecuting(DbCommand command, CommandEventData data)
        {
            if (ReferenceEquals(data.Context, _context))
            {
                lock (_lock)
                {
                    Executed.Add((command.CommandText, data.IsAsync));
                }
            }
        }

        public void Dispose() => _recorder.Executing -= OnExecuting;
    }
}

/// <summary>
/// Reports every command before it runs. An interceptor is called for every command from the first one on, unlike
/// a diagnostic listener, which EF Core notices only after its logging cache expires (up to a second later).
/// </summary>
public sealed class CommandRecorder : DbCommandInterceptor
{
    public event Action<DbCommand, CommandEventData>? Executing;

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Executing?.Invoke(command, eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Executing?.Invoke(command, eventData);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Executing?.Invoke(command, eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Executing?.Invoke(command, eventData);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Executing?.Invoke(command, eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Executing?.Invoke(command, eventData);
        return ValueTask.FromResult(result);
    }
}

public interface ICommandRecordingHost
{
    CommandRecorder Commands { get; }
}

public sealed class CommandRecordingSqliteHost(SmtpSink mail) : SqliteHost(mail), ICommandRecordingHost
{
    public CommandRecorder Commands { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.ConfigureDbContext<SqliteKastellDbContext>(o => o.AddInterceptors(Commands)));
    }
}

public sealed class CommandRecordingPostgresHost(PostgresCluster cluster, SmtpSink mail) : PostgresHost(cluster, mail), ICommandRecordingHost
{
    public CommandRecorder Commands { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.ConfigureDbContext<PostgresKastellDbContext>(o => o.AddInterceptors(Commands)));
    }
}

public sealed class FieldKeyLookupTestsOnSqlite(CommandRecordingSqliteHost host) : FieldKeyLookupTests(host), IClassFixture<CommandRecordingSqliteHost>;

public sealed class FieldKeyLookupTestsOnPostgres(CommandRecordingPostgresHost host) : FieldKeyLookupTests(host), IClassFixture<CommandRecordingPostgresHost>;
