using System.Net;
using System.Text.RegularExpressions;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Features.Access;

/// <summary>
/// "Who has access, and why" for the organization, a Space and a file, and "what can this member reach": every person
/// the engine lists, at the strongest level they hold, with the relationship paths that grant it — shown only to those
/// who may see access (owners, admins, auditors; a Space's managers for their Space), each view audited — on each provider.
/// </summary>
public abstract partial class AccessPageTests(KastellHost host) : IAsyncLifetime
{
    /// <summary>One arranged organization per host, shared by the tests (they only read it): arranging it takes eight sign-ups.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<KastellHost, Task<World>> Worlds = [];

    private World _world = default!;

    private OrganizationFixture _org => _world.Org;

    private OrganizationFixture _other => _world.Other;

    private Person _adam => _world.Adam;

    private Person _audrey => _world.Audrey;

    private Person _tina => _world.Tina;

    private Person _lena => _world.Lena;

    private Person _sam => _world.Sam;

    private Person _mia => _world.Mia;

    private Guid _hub => _world.HubId;

    private Guid _lab => _world.LabId;

    private Guid _ops => _world.Ops;

    private Guid _leads => _world.Leads;

    private Guid _file => _world.File;

    private Guid _labFile => _world.LabFile;

    public async ValueTask InitializeAsync() => _world = await Worlds.GetValue(host, h => World.CreateAsync(h));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>
    /// Anne owns the organization and created Hub and Lab; Adam administers, Audrey audits; Tina is in Ops, Lena in
    /// Leads, which is in Ops; Ops edits Hub; Sam manages Hub; Mia is a member with no role anywhere. A file in each Space.
    /// </summary>
    private sealed record World(OrganizationFixture Org, OrganizationFixture Other, Person Adam, Person Audrey, Person Tina, Person Lena, Person Sam, Person Mia,
        Guid HubId, Guid LabId, Guid Ops, Guid Leads, Guid File, Guid LabFile)
    {
        public static async Task<World> CreateAsync(KastellHost host)
        {
            var org = await OrganizationFixture.CreateAsync(host);
            var other = await OrganizationFixture.CreateAsync(host);
            var hub = await Tenants.CreateSpaceAsync(host, org.Owner.Browser, org.Slug, "Hub");
            var lab = await Tenants.CreateSpaceAsync(host, org.Owner.Browser, org.Slug, "Lab");
            var adam = await org.JoinAsync(OrganizationRole.Admin);
            var audrey = await org.JoinAsync(OrganizationRole.Auditor);
            var tina = await org.JoinAsync(OrganizationRole.Member);
            var lena = await org.JoinAsync(OrganizationRole.Member);
            var sam = await org.JoinAsync(OrganizationRole.Member, (hub, SpaceRole.Manager));
            var mia = await org.JoinAsync(OrganizationRole.Member);
            var ops = await Tenants.CreateTeamAsync(host, org.Id, "Ops");
            var leads = await Tenants.CreateTeamAsync(host, org.Id, "Leads");
            await Tenants.AddToTeamAsync(host, org.Id, ops, Subject.Person(tina.Id), Subject.Team(leads));
            await Tenants.AddToTeamAsync(host, org.Id, leads, Subject.Person(lena.Id));
            await Tenants.GrantTeamAsync(host, org.Id, hub, ops, SpaceRole.Editor);
            var file = (await Tenants.StoreFileAsync(host, org.Id, hub, "bericht.txt", "Bericht"u8.ToArray())).Id;
            var labFile = (await Tenants.StoreFileAsync(host, org.Id, lab, "labor.txt", "Labor"u8.ToArray())).Id;
            return new(org, other, adam, audrey, tina, lena, sam, mia, hub, lab, ops, leads, file, labFile);
        }
    }

    private string Hub => $"/o/{_org.Slug}/s/hub";

    [Fact]
    public async Task TheSpacePage_ListsEveryoneTheEngineLists_AtTheirStrongestLevel_WithThePathsThatGrantIt()
    {
        var mark = await AuditWatermark.TakeAsync(host);
        Assert.Equal(HttpStatusCode.OK, (await _org.Owner.Browser.GetAsync($"{Hub}/access")).StatusCode);
        var page = _org.Owner.Browser.LastPage!;

        var rows = Rows(page);
        Assert.Equal(
            new Dictionary<Guid, string>
            {
                [_org.Owner.Id] = "can_manage", [_adam.Id] = "can_manage", [_sam.Id] = "can_manage",
                [_tina.Id] = "can_edit", [_lena.Id] = "can_edit", [_audrey.Id] = "can_read",
            }.OrderBy(p => p.Key),
            rows.ToDictionary(r => r.Key, r => r.Value.Level).OrderBy(p => p.Key));
        // The owner created Hub, so she manages it twice over: as its manager, and as the owner (who manages every Space).
        Assert.Equal(["manager space + owner organization", "owner organization"], Reasons(rows[_org.Owner.Id].Html).Order(StringComparer.Ordinal));
        // The admin: the organization role alone, which makes them manage every Space (nothing else to show).
        Assert.Equal(["admin organization"], Reasons(rows[_adam.Id].Html));
        Assert.Equal(["auditor organization"], Reasons(rows[_audrey.Id].Html));
        // Sam: a role in this Space, and the organization membership it needs.
        Assert.Equal(["manager space + member organization"], Reasons(rows[_sam.Id].Html));
        // Tina through Ops, Lena through Leads inside Ops.
        Assert.Equal(["member team > editor space + member organization"], Reasons(rows[_tina.Id].Html));
        Assert.Equal(["member team > member team > editor space + member organization"], Reasons(rows[_lena.Id].Html));
        Assert.Matches(NamesInOrder("Leads", "Ops", "Hub"), Text(rows[_lena.Id].Html));
        Assert.DoesNotContain(_mia.User.Email, page, StringComparison.Ordinal);
        // Seeing who has access is itself recorded.
        Assert.Contains(await mark.NewEventsAsync(), e => e.Type == AuthorizationEvents.AuthorizationGranted && e.Details!.Contains("can_see_access", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheFilePage_ShowsWhoReadsAndDeletesTheFile_AndOnlyThroughItsOwnSpace()
    {
        Assert.Equal(HttpStatusCode.OK, (await _sam.Browser.GetAsync($"{Hub}/files/{_file}/access")).StatusCode);
        var rows = Rows(_sam.Browser.LastPage!);

        Assert.Equal("can_delete", rows[_tina.Id].Level);
        Assert.Equal("can_read", rows[_audrey.Id].Level);
        Assert.Equal(["member team > editor space + member organization"], Reasons(rows[_tina.Id].Html));
        Assert.False(rows.ContainsKey(_mia.Id));
        // Sam manages Hub only: the Lab's file is not his to see, through either address.
        Assert.Equal(HttpStatusCode.NotFound, (await _sam.Browser.GetAsync($"{Hub}/files/{_labFile}/access")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _sam.Browser.GetAsync($"/o/{_org.Slug}/s/lab/files/{_labFile}/access")).StatusCode);
        // The owner sees everything, but a file of another Space is not found through this one.
        Assert.Equal(HttpStatusCode.NotFound, (await _org.Owner.Browser.GetAsync($"{Hub}/files/{_labFile}/access")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _org.Owner.Browser.GetAsync($"{Hub}/files/{Guid.NewGuid()}/access")).StatusCode);
    }

    [Fact]
    public async Task TheMemberPage_ShowsEverythingTheyReach_ThroughNestedTeamsToo()
    {
        Assert.Equal(HttpStatusCode.OK, (await _audrey.Browser.GetAsync($"/o/{_org.Slug}/members/{_lena.Id}/access")).StatusCode);
        var page = _audrey.Browser.LastPage!;

        var reach = Reach().Matches(page).Select(m => (Object: m.Groups[1].Value, Permission: m.Groups[2].Value)).ToList();
        Assert.Contains((_hub.ToString(), "can_edit"), reach);
        Assert.DoesNotContain(reach, r => r.Object == _lab.ToString());
        Assert.Contains((_ops.ToString(), "member"), reach);
        Assert.Contains((_leads.ToString(), "member"), reach);
        Assert.Contains("data-permission=\"can_read\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("data-permission=\"can_administer\"", page, StringComparison.Ordinal);
        Assert.Matches("<td[^>]*>Hub</td><td[^>]*>1</td><td[^>]*>1</td>", page); // one file readable, and deletable

        await _audrey.Browser.GetAsync($"/o/{_org.Slug}/members/{_adam.Id}/access");
        var admin = _audrey.Browser.LastPage!;
        Assert.Contains("data-permission=\"can_administer\"", admin, StringComparison.Ordinal);
        Assert.Contains($"data-object=\"{_lab}\" data-permission=\"can_manage\"", admin, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePages_AreForThoseWhoMaySeeAccess_AndCloseToEveryoneElse()
    {
        var pages = new[]
        {
            $"/o/{_org.Slug}/access",
            $"{Hub}/access",
            $"{Hub}/files/{_file}/access",
            $"/o/{_org.Slug}/members/{_tina.Id}/access",
        };
        using var anonymous = host.CreateBrowser();
        foreach (var page in pages)
        {
            Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(await anonymous.GetAsync(page)));
            Assert.Equal(HttpStatusCode.NotFound, (await _other.Owner.Browser.GetAsync(page)).StatusCode); // another organization's owner
            Assert.Equal(HttpStatusCode.OK, (await _org.Owner.Browser.GetAsync(page)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await _audrey.Browser.GetAsync(page)).StatusCode);
        }

        // Tina edits Hub but manages nothing: she may read the Space, so she is told no (403), not "not found".
        Assert.Equal(HttpStatusCode.Forbidden, (await _tina.Browser.GetAsync($"{Hub}/access")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _tina.Browser.GetAsync($"/o/{_org.Slug}/access")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _tina.Browser.GetAsync($"/o/{_org.Slug}/members/{_tina.Id}/access")).StatusCode);
        // Mia has no role in Hub: the Space does not exist for her.
        Assert.Equal(HttpStatusCode.NotFound, (await _mia.Browser.GetAsync($"{Hub}/access")).StatusCode);
        // Sam manages Hub: its page, not the organization's.
        Assert.Equal(HttpStatusCode.OK, (await _sam.Browser.GetAsync($"{Hub}/access")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _sam.Browser.GetAsync($"/o/{_org.Slug}/access")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _sam.Browser.GetAsync($"/o/{_org.Slug}/members/{_tina.Id}/access")).StatusCode);
        // Bad input: someone who is not a member here (another organization's owner), no one at all, not an id.
        Assert.Equal(HttpStatusCode.NotFound, (await _org.Owner.Browser.GetAsync($"/o/{_org.Slug}/members/{_other.Owner.Id}/access")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _org.Owner.Browser.GetAsync($"/o/{_org.Slug}/members/{Guid.NewGuid()}/access")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _org.Owner.Browser.GetAsync($"/o/{_org.Slug}/members/nobody/access")).StatusCode);
        // Read-only pages: a post (with a valid token) changes nothing and is refused.
        var before = await _org.TuplesAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await _org.Owner.Browser.PostFromAsync($"{Hub}/access", $"{Hub}/access", new Dictionary<string, string> { ["_handler"] = "anything" })).StatusCode);
        Assert.Equal(before, await _org.TuplesAsync());
    }

    /// <summary>The rows of the access table: person → (level, row HTML).</summary>
    private static Dictionary<Guid, (string Level, string Html)> Rows(string page) =>
        Row().Matches(page).ToDictionary(m => Guid.Parse(m.Groups[1].Value), m => (m.Groups[2].Value, m.Groups[3].Value));

    /// <summary>Each reason of a row as its steps' relations and types: "member team &gt; editor space + member organization".</summary>
    private static List<string> Reasons(string row) =>
        [.. Reason().Matches(row).Select(reason =>
        {
            var parts = Condition().Split(reason.Groups[1].Value);
            return string.Join(" + ", parts.Select(part => string.Join(" > ", Step().Matches(part).Select(s => $"{s.Groups[1].Value} {s.Groups[2].Value}")))
                .Where(p => p.Length > 0));
        })];

    private static string Text(string html) => Regex.Replace(Regex.Replace(html, "<span class=\"visually-hidden\">[^<]*</span>", ""), "<[^>]+>", " ");

    private static Regex NamesInOrder(params string[] names) => new(string.Join(".*", names.Select(Regex.Escape)), RegexOptions.Singleline);

    [GeneratedRegex("<tr data-testid=\"access-row\" data-user=\"([0-9a-f-]{36})\" data-level=\"(\\w+)\">(.*?)</tr>", RegexOptions.Singleline)]
    private static partial Regex Row();

    [GeneratedRegex("<li data-testid=\"reason\">(.*?)</li>", RegexOptions.Singleline)]
    private static partial Regex Reason();

    [GeneratedRegex("<span class=\"condition\">")]
    private static partial Regex Condition();

    [GeneratedRegex("<span class=\"step\" data-relation=\"(\\w+)\" data-type=\"(\\w+)\">")]
    private static partial Regex Step();

    [GeneratedRegex("data-testid=\"reach\" data-object=\"([0-9a-f-]{36})\" data-permission=\"(\\w+)\"")]
    private static partial Regex Reach();
}

public sealed class AccessPageTestsOnSqlite(SqliteHost host) : AccessPageTests(host), IClassFixture<SqliteHost>;

public sealed class AccessPageTestsOnPostgres(PostgresHost host) : AccessPageTests(host), IClassFixture<PostgresHost>;
