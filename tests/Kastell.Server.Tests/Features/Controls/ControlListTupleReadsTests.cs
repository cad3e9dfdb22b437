using System.Net;
using System.Text.Json;
using Kastell.Server.Features.Controls.ManageControls;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.ApiAccess;
using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Features.Controls;

/// <summary>
/// How much of the authorization store the API's controls list reads. Owners are tuples, so the owner filter and the
/// owner column read tuples — the owner's own (one indexed query) and those of the page's controls (one query) — and
/// never every owner tuple or team membership of the organization: the tuple queries and the tuples read stay the same
/// when the organization gains controls owned by others (in this Space and in another) and team members. Before, the
/// list read every control owner tuple and every team membership of the organization on each call.
/// </summary>
public abstract class ControlListTupleReadsTests(KastellHost host) : ApiTestBase(host)
{
    private const int Others = 30;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheOwnerFilter_AndTheOwnerColumn_ReadOnlyTheTuplesThePageNeeds()
    {
        var owner = await OwnerAsync();
        var ownerId = await Tenants.UserIdAsync(Host, owner.User.Email);
        var team = await Tenants.CreateTeamAsync(Host, owner.OrganizationId, "Ops");
        var others = await Tenants.CreateTeamAsync(Host, owner.OrganizationId, "Others");
        var elsewhere = await Tenants.CreateSpaceAsync(Host, owner.Browser, owner.User.OrganizationSlug, "Anderswo");
        var mine = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            mine.Add(await OwnedControlAsync(owner, owner.SpaceId, ownerId, $"Mine {i}", Subject.Person(ownerId)));
        }

        var teams = await OwnedControlAsync(owner, owner.SpaceId, ownerId, "The team's", Subject.Team(team));
        using var api = Api((await CreateTokenAsync(owner, ["space:can_read_controls"])).Secret);
        var controls = $"/api/v1/o/{owner.User.OrganizationSlug}/s/akten/controls";
        string[] lists = [$"{controls}?owner=user:{ownerId:D}&limit=2", $"{controls}?owner=team:{team:D}&limit=2", $"{controls}?limit=2"];

        // The answers first: the filter finds the owner's controls, the column names each page control's owner.
        Assert.Equal(mine.Take(2), await IdsAsync(api, lists[0]));
        Assert.Equal([teams], await IdsAsync(api, lists[1]));
        using (var page = JsonDocument.Parse(await api.GetStringAsync(lists[2], Ct)))
        {
            Assert.All(page.RootElement.GetProperty("items").EnumerateArray(), c => Assert.Equal($"user:{ownerId:D}", c.GetProperty("owner").GetString()));
        }

        var before = await ReadsAsync(owner, api, lists);

        // The organization grows: controls owned by another team, in this Space and in another, and that team's members.
        for (var i = 0; i < Others; i++)
        {
            await OwnedControlAsync(owner, i % 2 == 0 ? owner.SpaceId : elsewhere, ownerId, $"Other {i}", Subject.Team(others));
        }

        await Tenants.AddToTeamAsync(Host, owner.OrganizationId, others, [.. Enumerable.Range(0, 10).Select(_ => Subject.Person(Guid.NewGuid()))]);

        var after = await ReadsAsync(owner, api, lists);
        Assert.Equal(mine.Take(2), await IdsAsync(api, lists[0]));
        var seen = string.Join("; ", lists.Select((l, i) => $"{l[controls.Length..]}: {before[i]} → {after[i]}"));
        Assert.True(before.SequenceEqual(after), seen);
        // Pinned: each list asks the store a fixed number of times (the entry checks of the organization and the Space,
        // the token's permission, then the list's own one or two reads) and reads a handful of tuples (a counter that
        // stopped seeing commands would pass the comparison above on zeros).
        Assert.All(before, reads => Assert.True(reads.Queries is >= 3 and <= 8 && reads.Rows is > 0 and <= 20, seen));
    }

    private async Task<(int Queries, int Rows)[]> ReadsAsync(Owner owner, HttpClient api, string[] lists)
    {
        var reads = new List<(int, int)>();
        foreach (var list in lists)
        {
            using var counter = new TupleReadCounter(Permissions.StoreId(owner.OrganizationId));
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(list, Ct)).StatusCode);
            reads.Add((counter.Queries, counter.Rows));
        }

        return [.. reads];
    }

    private static async Task<List<Guid>> IdsAsync(HttpClient api, string list)
    {
        using var page = JsonDocument.Parse(await api.GetStringAsync(list, Ct));
        return [.. page.RootElement.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetGuid())];
    }

    private async Task<Guid> OwnedControlAsync(Owner owner, Guid space, Guid actor, string title, Subject by)
    {
        var control = await ControlsData.CreateControlAsync(Host, owner.OrganizationId, space, actor, title);
        var result = await ControlsData.AsAsync<UpdateControlCommand, Result>(Host, owner.OrganizationId, space, actor,
            c => c.ExecuteAsync(control, new(title, "", "Planned", by.ToString()), cancellationToken: Ct));
        Assert.True(result.Succeeded, result.Failure?.Code);
        return control;
    }
}

public sealed class ControlListTupleReadsTestsOnSqlite(SqliteHost host) : ControlListTupleReadsTests(host), IClassFixture<SqliteHost>;

public sealed class ControlListTupleReadsTestsOnPostgres(PostgresHost host) : ControlListTupleReadsTests(host), IClassFixture<PostgresHost>;
