using Kastell.Authorization.Engine;
using Kastell.Authorization.Storage.EntityFramework;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Platform.Authorization;

/// <summary>Tuples follow the data: written with it, validated against the model, backfilled, and their drift reported.</summary>
public abstract class RelationshipTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SignUpAndASpace_WriteTheirTuples_AndDriftReportsNone()
    {
        var (org, space) = await OrganizationWithSpaceAsync();
        var tuples = await TuplesAsync(org);
        Assert.Contains(tuples, t => t.StartsWith($"organization:{org:D}#owner@user:", StringComparison.Ordinal));
        Assert.Contains($"space:{space:D}#organization@organization:{org:D}", tuples);
        Assert.Contains(tuples, t => t.StartsWith($"space:{space:D}#manager@user:", StringComparison.Ordinal));

        var (code, output) = await DriftAsync();
        Assert.True(code == 0, output);
        Assert.Contains("no drift", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATupleWithoutItsRow_AndARowWithoutItsTuple_AreReportedAsDrift()
    {
        var (org, space) = await OrganizationWithSpaceAsync();
        var stranger = Guid.CreateVersion7();
        await using (var scope = host.Services.GetRequiredService<TenantScopes>().Enter(org, AuditActor.System("test")))
        {
            var store = Permissions.StoreId(org);
            // Someone granted behind the member list's back, and the Space's place in the organization lost.
            scope.Db.Set<TupleEntity>().Add(new TupleEntity { StoreId = store, Object = $"space:{space:D}", ObjectType = "space", Relation = "editor", User = $"user:{stranger:D}", CreatedAt = DateTimeOffset.UtcNow });
            await scope.Db.Set<TupleEntity>().Where(t => t.StoreId == store && t.Object == $"space:{space:D}" && t.Relation == "organization").ExecuteDeleteAsync(Ct);
            await scope.Db.SaveChangesAsync(Ct);
        }

        var (code, output) = await DriftAsync();

        Assert.Equal(1, code);
        Assert.Contains($"unexpected tuple space:{space:D}#editor@user:{stranger:D}", output, StringComparison.Ordinal);
        Assert.Contains($"missing tuple space:{space:D}#organization@organization:{org:D}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TeamTuplesNamingATeamOrAPersonThatIsGone_AreReportedAsDangling()
    {
        var (org, space) = await OrganizationWithSpaceAsync();
        var team = await Tenants.CreateTeamAsync(host, org, "Drifting");
        var (clean, cleanOutput) = await DriftAsync();
        Assert.True(clean == 0, cleanOutput);
        var stranger = Guid.CreateVersion7();
        var gone = Guid.CreateVersion7();
        await using (var scope = host.Services.GetRequiredService<TenantScopes>().Enter(org, AuditActor.System("test")))
        {
            var store = Permissions.StoreId(org);
            // A person who is not a member put into a team, and a Space role left behind by a team whose row is gone.
            scope.Db.Set<TupleEntity>().Add(new TupleEntity { StoreId = store, Object = $"team:{team:D}", ObjectType = "team", Relation = "member", User = $"user:{stranger:D}", CreatedAt = DateTimeOffset.UtcNow });
            scope.Db.Set<TupleEntity>().Add(new TupleEntity { StoreId = store, Object = $"space:{space:D}", ObjectType = "space", Relation = "editor", User = $"team:{gone:D}#member", IsUserset = true, CreatedAt = DateTimeOffset.UtcNow });
            // And a team row without its place in the organization.
            await scope.Db.Set<TupleEntity>().Where(t => t.StoreId == store && t.Object == $"team:{team:D}" && t.Relation == "organization").ExecuteDeleteAsync(Ct);
            await scope.Db.SaveChangesAsync(Ct);
        }

        var (code, output) = await DriftAsync();

        Assert.Equal(1, code);
        Assert.Contains($"dangling tuple team:{team:D}#member@user:{stranger:D}", output, StringComparison.Ordinal);
        Assert.Contains($"dangling tuple space:{space:D}#editor@team:{gone:D}#member", output, StringComparison.Ordinal);
        Assert.Contains($"missing tuple team:{team:D}#organization@organization:{org:D}", output, StringComparison.Ordinal);
        Assert.Contains("3 difference(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATupleTheModelForbids_IsRefusedWithItsError_AndNothingIsWritten()
    {
        var (org, space) = await OrganizationWithSpaceAsync();
        var before = await TuplesAsync(org);
        await using var scope = host.Services.GetRequiredService<TenantScopes>().Enter(org, AuditActor.System("test"));
        var writer = scope.Get<RelationshipWriter>();

        // A Space has no owner relation, and a file's space must be a space.
        var error = await Assert.ThrowsAsync<AuthorizationException>(() => writer.GrantAsync($"space:{space:D}", "owner", $"user:{Guid.CreateVersion7():D}", Ct));
        Assert.Equal(AuthorizationErrorCode.InvalidTuple, error.Code);
        await Assert.ThrowsAsync<AuthorizationException>(() => writer.GrantAsync($"file:{Guid.CreateVersion7():D}", "space", $"organization:{org:D}", Ct));
        await scope.Db.SaveChangesAsync(Ct);

        Assert.Equal(before, await TuplesAsync(org));
    }

    [Fact]
    public async Task AnEngineError_Denies_AndSaysSo()
    {
        var (org, _) = await OrganizationWithSpaceAsync();
        await using var scope = host.Services.GetRequiredService<TenantScopes>().Enter(org, AuditActor.System("test"));
        var owner = await scope.Db.OrganizationMembers.Select(m => m.UserId).FirstAsync(Ct);
        scope.Get<CurrentActor>().ActAs(AuditActor.User(owner));
        var permissions = scope.Get<Permissions>();

        Assert.True(await permissions.HasAsync("organization", org, "can_read", Ct));
        var decision = await permissions.DecideAsync("organization", org, "can_fly", cancellationToken: Ct); // no such relation: the engine throws
        Assert.False(decision.Allowed);
        Assert.Contains("engine failed", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheBackfill_TurnsRoleRowsIntoTheSameTuples_AndRunsTwiceWithoutChange()
    {
        var (org, _) = await OrganizationWithSpaceAsync();
        var written = await TuplesAsync(org);
        await RawDatabase.ExecuteAsync(host, "DELETE FROM authz_tuples WHERE \"StoreId\" = @store", ("store", Permissions.StoreId(org))); // as before the migration

        await BackfillAsync();
        var backfilled = await TuplesAsync(org);
        await BackfillAsync();

        Assert.Equal(written, backfilled);
        Assert.Equal(backfilled, await TuplesAsync(org));
    }

    private Task BackfillAsync() => host is PostgresHost
        ? RawDatabase.ExecuteAsync(host, string.Join(";\n", new[] { "OrganizationMembers", "SpaceMembers", "Spaces", "StoredObjects", "authz_tuples" }.Select(t => $"ALTER TABLE \"{t}\" NO FORCE ROW LEVEL SECURITY"))
            + ";\n" + Kastell.Server.Migrations.Postgres.RelationshipTuplesSql.Backfill + "\n"
            + string.Join(";\n", new[] { "OrganizationMembers", "SpaceMembers", "Spaces", "StoredObjects", "authz_tuples" }.Select(t => $"ALTER TABLE \"{t}\" FORCE ROW LEVEL SECURITY")) + ";")
        : RawDatabase.ExecuteAsync(host, Kastell.Server.Migrations.Sqlite.RelationshipTuplesSql.Backfill);

    private string _slug = "";

    private async Task<(Guid Organization, Guid Space)> OrganizationWithSpaceAsync()
    {
        using var browser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(browser);
        _slug = owner.OrganizationSlug;
        var org = await Tenants.OrganizationIdAsync(host, owner.OrganizationSlug);
        var space = await Tenants.CreateSpaceAsync(host, browser, owner.OrganizationSlug, "Relations");
        return (org, space);
    }

    private async Task<List<string>> TuplesAsync(Guid organization)
    {
        await using var scope = host.Services.GetRequiredService<TenantScopes>().Enter(organization, AuditActor.System("test"));
        var store = Permissions.StoreId(organization);
        return [.. (await scope.Db.Set<TupleEntity>().AsNoTracking().Where(t => t.StoreId == store).Select(t => new { t.Object, t.Relation, t.User }).ToListAsync(Ct))
            .Select(t => $"{t.Object}#{t.Relation}@{t.User}").Order(StringComparer.Ordinal)];
    }

    private async Task<(int Code, string Output)> DriftAsync()
    {
        using var output = new StringWriter();
        // This organization only: the host is shared with tests that plant drift in theirs.
        var code = await KastellCli.RunAsync(host.Services, ["authz", "drift", "--organization", _slug], output, Ct);
        return (code, output.ToString());
    }
}

public sealed class RelationshipTestsOnSqlite(SqliteHost host) : RelationshipTests(host), IClassFixture<SqliteHost>;

public sealed class RelationshipTestsOnPostgres(PostgresHost host) : RelationshipTests(host), IClassFixture<PostgresHost>;
