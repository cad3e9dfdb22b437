using Kastell.Authorization.Storage.EntityFramework;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Platform.Authorization;

/// <summary>
/// A request reads each tuple once and remembers its decisions, and nothing longer: a revocation in another request
/// denies the very next request, a grant written in the request is seen by its next check, and a remembered allow
/// never hides a denial or an allow that must be recorded.
/// </summary>
public abstract class RequestTupleReadsTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ARevocationInAnotherRequest_DeniesTheVeryNextRequest()
    {
        var (org, space) = await OrganizationWithSpaceAsync();
        var viewer = Guid.CreateVersion7();
        await WriteAsync(org, w => w.GrantAsync($"organization:{org:D}", "member", Permissions.User(viewer), Ct));
        await WriteAsync(org, w => w.GrantAsync($"space:{space:D}", "viewer", Permissions.User(viewer), Ct));

        await using (var first = Request(org, viewer))
        {
            var permissions = first.Get<Permissions>();
            Assert.True(await permissions.HasAsync("space", space, "can_read", Ct));
            Assert.True(await permissions.RequireAsync("space", space, "can_read", cancellationToken: Ct));

            await WriteAsync(org, w => w.RevokeAsync($"space:{space:D}", "viewer", Permissions.User(viewer), Ct)); // another request

            Assert.True(await permissions.HasAsync("space", space, "can_read", Ct)); // this request keeps its answer, and only this one
        }

        await using var next = Request(org, viewer);
        Assert.False(await next.Get<Permissions>().HasAsync("space", space, "can_read", Ct));
        Assert.False(await next.Get<Permissions>().RequireAsync("space", space, "can_read", cancellationToken: Ct));
    }

    [Fact]
    public async Task AGrantWrittenInTheRequest_IsSeenByItsNextCheck()
    {
        var (org, space) = await OrganizationWithSpaceAsync();
        var newcomer = Guid.CreateVersion7();
        await using var request = Request(org, newcomer);
        var permissions = request.Get<Permissions>();
        Assert.False(await permissions.HasAsync("space", space, "can_read", Ct)); // the tuples it needs are read, and absent

        var writer = request.Get<RelationshipWriter>();
        await writer.GrantAsync($"organization:{org:D}", "member", Permissions.User(newcomer), Ct);
        await writer.GrantAsync($"space:{space:D}", "viewer", Permissions.User(newcomer), Ct);
        await request.Db.SaveChangesAsync(Ct);

        Assert.True(await permissions.HasAsync("space", space, "can_read", Ct));
    }

    [Fact]
    public async Task ARememberedDecision_NeverSkipsTheRecordOfADenialOrOfASensitiveAllow()
    {
        var (org, _) = await OrganizationWithSpaceAsync();
        var member = Guid.CreateVersion7();
        await WriteAsync(org, w => w.GrantAsync($"organization:{org:D}", "member", Permissions.User(member), Ct));
        var owner = await OwnerAsync(org);

        await using (var request = Request(org, member))
        {
            var permissions = request.Get<Permissions>();
            Assert.False(await permissions.HasAsync("organization", org, "can_read_audit", Ct));
            Assert.False(await permissions.RequireAsync("organization", org, "can_read_audit", cancellationToken: Ct));
        }

        await using (var request = Request(org, owner))
        {
            var permissions = request.Get<Permissions>();
            Assert.True(await permissions.HasAsync("organization", org, "can_read_audit", Ct));
            Assert.True(await permissions.RequireAsync("organization", org, "can_read_audit", auditAllow: true, Ct));
            Assert.True(await permissions.RequireAsync("organization", org, "can_read_audit", auditAllow: true, Ct));
        }

        var events = await EventsAsync(org);
        Assert.Single(events, e => e.Type == AuthorizationEvents.AuthorizationDenied && e.ActorId == member.ToString());
        Assert.Equal(2, events.Count(e => e.Type == AuthorizationEvents.AuthorizationGranted && e.ActorId == owner.ToString()));
    }

    [Fact]
    public async Task ASpaceGivenToManyTeams_IsDecidedFromBatchedReads_AsFromSingleOnes()
    {
        var (org, space) = await OrganizationWithSpaceAsync();
        var (member, nested, outsider) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        var teams = Enumerable.Range(0, 6).Select(_ => Guid.CreateVersion7()).ToList();
        await WriteAsync(org, async w =>
        {
            foreach (var person in new[] { member, nested, outsider })
            {
                await w.GrantAsync($"organization:{org:D}", "member", Permissions.User(person), Ct);
            }

            foreach (var team in teams)
            {
                await w.GrantAsync($"team:{team:D}", "organization", $"organization:{org:D}", Ct);
                await w.GrantAsync($"space:{space:D}", "viewer", $"team:{team:D}#member", Ct);
            }

            await w.GrantAsync($"team:{teams[4]:D}", "member", Permissions.User(member), Ct);
            var inner = Guid.CreateVersion7();
            await w.GrantAsync($"team:{inner:D}", "organization", $"organization:{org:D}", Ct);
            await w.GrantAsync($"team:{teams[2]:D}", "member", $"team:{inner:D}#member", Ct);
            await w.GrantAsync($"team:{inner:D}", "member", Permissions.User(nested), Ct);
        });

        foreach (var (person, expected) in new[] { (member, true), (nested, true), (outsider, false) })
        {
            await using var request = Request(org, person);
            Assert.Equal(expected, await request.Get<Permissions>().HasAsync("space", space, "can_read", Ct));
        }

        // The store's batched reads on this provider answer what its single reads answer, object by object.
        await using var scope = host.Services.GetRequiredService<TenantScopes>().Enter(org, AuditActor.System("test"));
        var store = new EntityFrameworkTupleStore<KastellDbContext>(scope.Get<IDbContextFactory<KastellDbContext>>(), Permissions.StoreId(org));
        var objects = teams.Select(t => $"team:{t:D}").ToList();
        var single = new List<string>();
        var singleUsersets = new List<string>();
        foreach (var @object in objects)
        {
            if (await store.ReadTupleAsync(@object, "member", Permissions.User(member), Ct) is { } tuple)
            {
                single.Add(tuple.ToString());
            }

            singleUsersets.AddRange((await store.ReadUsersetTuplesAsync(@object, "member", Ct)).Select(t => t.ToString()));
        }

        var read = await store.ReadObjectsAsync(objects, [Permissions.User(member)], ["organization"], Ct);
        var organizations = new List<string>();
        foreach (var @object in objects)
        {
            organizations.AddRange((await store.ReadAsync(@object, "organization", Ct)).Select(t => t.ToString()));
        }

        Assert.Equal(single.Concat(singleUsersets).Concat(organizations).Order(), read.Select(t => t.ToString()).Order());
        Assert.Single(single);
        Assert.Single(singleUsersets);
    }

    private TenantScope Request(Guid organization, Guid user)
    {
        var scope = host.Services.GetRequiredService<TenantScopes>().Enter(organization, AuditActor.User(user));
        return scope;
    }

    private async Task WriteAsync(Guid organization, Func<RelationshipWriter, Task> write)
    {
        await using var scope = host.Services.GetRequiredService<TenantScopes>().Enter(organization, AuditActor.System("test"));
        await write(scope.Get<RelationshipWriter>());
        await scope.Db.SaveChangesAsync(Ct);
    }

    private async Task<Guid> OwnerAsync(Guid organization)
    {
        await using var scope = host.Services.GetRequiredService<TenantScopes>().Enter(organization, AuditActor.System("test"));
        return await scope.Db.OrganizationMembers.Select(m => m.UserId).FirstAsync(Ct);
    }

    private async Task<List<AuditEvent>> EventsAsync(Guid organization)
    {
        await using var scope = host.Services.GetRequiredService<TenantScopes>().Enter(organization, AuditActor.System("test"));
        return await scope.Db.Set<AuditEvent>().AsNoTracking().Where(e => e.OrganizationId == organization).ToListAsync(Ct);
    }

    private async Task<(Guid Organization, Guid Space)> OrganizationWithSpaceAsync()
    {
        using var browser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(browser);
        var org = await Tenants.OrganizationIdAsync(host, owner.OrganizationSlug);
        return (org, await Tenants.CreateSpaceAsync(host, browser, owner.OrganizationSlug, "Reads"));
    }
}

public sealed class RequestTupleReadsTestsOnSqlite(SqliteHost host) : RequestTupleReadsTests(host), IClassFixture<SqliteHost>;

public sealed class RequestTupleReadsTestsOnPostgres(PostgresHost host) : RequestTupleReadsTests(host), IClassFixture<PostgresHost>;
