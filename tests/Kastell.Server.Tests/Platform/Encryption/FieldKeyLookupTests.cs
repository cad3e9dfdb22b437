using System.Diagnostics;
using Kastell.Server.Platform.Storage;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Kastell.Server.Tests.Platform.Encryption;

/// <summary>
/// Saving encrypted fields asks the database for an organization's current data key once per save, not once per
/// field, and SaveChangesAsync asks without blocking. Observed through EF Core's own diagnostics (the SQL it sends).
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
            using var commands = new CommandLog(db);
            // EF Core re-checks whether anyone listens for command events at most once a second (LoggingCacheTime);
            // without a command interceptor (PostgreSQL has one) it would not report this save's commands yet.
            await Task.Delay(TimeSpan.FromSeconds(1.5), Ct);
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

    /// <summary>The commands one context sends while this is alive (other contexts on the same listener are ignored).</summary>
    private sealed class CommandLog : IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly DbContext _context;
        private readonly IDisposable _subscription;
        private readonly Lock _lock = new();

        public CommandLog(DbContext context)
        {
            _context = context;
            // The context's own listener (EF Core's internal service), not whichever listener of that name is found first.
            _subscription = ((DiagnosticListener)context.GetService<DiagnosticSource>()).Subscribe(this);
        }

        public List<(string Text, bool IsAsync)> Executed { get; } = [];

        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Key == RelationalEventId.CommandExecuting.Name && value.Value is CommandEventData data && ReferenceEquals(data.Context, _context))
            {
                lock (_lock)
                {
                    Executed.Add((data.Command.CommandText, data.IsAsync));
                }
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void Dispose() => _subscription.Dispose();
    }
}

public sealed class FieldKeyLookupTestsOnSqlite(SqliteHost host) : FieldKeyLookupTests(host), IClassFixture<SqliteHost>;

public sealed class FieldKeyLookupTestsOnPostgres(PostgresHost host) : FieldKeyLookupTests(host), IClassFixture<PostgresHost>;
