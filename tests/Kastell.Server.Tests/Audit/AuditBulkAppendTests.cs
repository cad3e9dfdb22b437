using Kastell.Server.Platform.Audit;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Audit;

/// <summary>The bulk path writes rows that EF reads back unchanged and that continue one verifiable chain with the normal path.</summary>
public abstract class AuditBulkAppendTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BulkAndTrackedAppends_FormOneVerifiableChain_WithCheckpoints()
    {
        var chain = Guid.NewGuid();
        await RecordAsync(chain, 3);
        await BulkAsync(chain, 250);
        await RecordAsync(chain, 2);
        await BulkAsync(chain, 1);

        var (events, checkpoints, problems) = await host.Services.GetRequiredService<AuditVerifier>().VerifyChainAsync(chain, Ct);

        Assert.Empty(problems);
        Assert.Equal(256, events);
        Assert.Equal(2, checkpoints);
        var (scope, db) = host.OpenDb(chain);
        await using (scope)
        {
            var stored = await db.AuditEvents.AsNoTracking().Where(e => e.OrganizationId == chain).OrderBy(e => e.Sequence).ToListAsync(Ct);
            Assert.Equal(Enumerable.Range(1, 256).Select(i => (long)i), stored.Select(e => e.Sequence));
            var bulk = stored[3];
            Assert.Equal(AuditEventType.MemberRoleChanged, bulk.Type);
            Assert.Equal(AuditOutcome.Failed, bulk.Outcome);
            Assert.Equal(AuditActorKind.System, bulk.ActorKind);
            Assert.Equal("import", bulk.ActorId);
            Assert.Equal("{\"n\":\"0 \\u00FC|=\"}", bulk.Details);
            Assert.Equal(TimeSpan.Zero, bulk.OccurredAt.Offset);
            Assert.True(bulk.OccurredAt > DateTimeOffset.UtcNow.AddMinutes(-5));
        }
    }

    private async Task BulkAsync(Guid chain, int count)
    {
        var (scope, _) = host.OpenDb(chain);
        await using (scope)
        {
            var entries = Enumerable.Range(0, count).Select(i => new AuditEntry(AuditEventType.MemberRoleChanged, AuditActor.System("import"),
                AuditTarget.User(Guid.NewGuid()), AuditOutcome.Failed, new Dictionary<string, string> { ["n"] = i + " ü|=" })).ToList();
            await scope.ServiceProvider.GetRequiredService<AuditBulkAppender>().AppendAsync(entries, Ct);
        }
    }

    private async Task RecordAsync(Guid chain, int count)
    {
        var (scope, _) = host.OpenDb(chain);
        await using (scope)
        {
            var audit = scope.ServiceProvider.GetRequiredService<IAuditLog>();
            for (var i = 0; i < count; i++)
            {
                audit.Record(new(AuditEventType.SpaceCreated, AuditActor.User(Guid.NewGuid()), AuditTarget.Space(Guid.NewGuid())));
            }

            await audit.FlushAsync(Ct);
        }
    }
}

public sealed class AuditBulkAppendTestsOnSqlite(SqliteHost host) : AuditBulkAppendTests(host), IClassFixture<SqliteHost>;

public sealed class AuditBulkAppendTestsOnPostgres(PostgresHost host) : AuditBulkAppendTests(host), IClassFixture<PostgresHost>;
