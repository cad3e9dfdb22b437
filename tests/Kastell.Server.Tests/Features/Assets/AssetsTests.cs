using System.Net;
using System.Text.RegularExpressions;
using Kastell.Server.Features.Assets;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.Assets;

/// <summary>
/// A Space's assets over HTTP, as people use them: adding, editing (owner as a tuple), deleting, dependencies with the
/// needs they pass down and the reason shown, overrides that need a justification, cycles refused, the list's
/// filters, sorting and pages — and every refusal: anonymous, another organization, a member of another Space, a role
/// without the permission, bad input, a post without its antiforgery token. On each provider.
/// </summary>
public abstract partial class AssetsTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Editor_AddsAnAsset_WithATeamAsOwner_ChangesIt_AndAManagerDeletesIt()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var tina = await org.JoinAsync(OrganizationRole.Member, (s.Id, SpaceRole.Editor));
        var ops = await Tenants.CreateTeamAsync(host, org.Id, "Ops");
        var mark = await AuditWatermark.TakeAsync(host);

        await tina.Browser.GetAsync(s.Assets);
        Assert.Contains("This space has no assets yet. Add the first one", tina.Browser.LastPage, StringComparison.Ordinal);
        Assert.Contains($"href=\"{s.Assets}/new\"", tina.Browser.LastPage, StringComparison.Ordinal);
        var created = await Post(tina, s.Assets + "/new", s.Path("/assets/create"),
            ("name", "Kundenportal"), ("kind", "Application"), ("description", "Web shop\nfor customers."), ("owner", Subject.Team(ops).ToString()),
            ("c-level", "VeryHigh"), ("c-justification", "Customer data."), ("i-level", "High"), ("i-justification", "Orders."), ("a-level", "Normal"));
        var page = TestBrowser.LocationOf(created)!;
        Assert.Matches($"^{Regex.Escape(s.Path("/assets/"))}[0-9a-f-]{{36}}\\?created=1$", page);
        page = page[..page.IndexOf('?', StringComparison.Ordinal)];
        var id = Guid.Parse(page[(page.LastIndexOf('/') + 1)..]);
        var tuples = await org.TuplesAsync();
        Assert.Contains($"asset:{id:D}#space@space:{s.Id:D}", tuples);
        Assert.Contains($"asset:{id:D}#owner@team:{ops:D}#member", tuples);

        await tina.Browser.GetAsync(page);
        Assert.Contains("<dd data-testid=\"asset-owner\">Ops</dd>", tina.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(["Very high", "High", "Normal"], Effective(tina.Browser.LastPage!));
        Assert.Contains("Customer data.", tina.Browser.LastPage, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Redirect, (await Post(tina, page + "/edit", page + "/update",
            ("name", "Kundenportal 2"), ("kind", "Service"), ("description", ""), ("owner", Subject.Person(tina.Id).ToString()),
            ("c-level", "High"), ("c-justification", "Pseudonymised now."), ("i-level", "Normal"), ("a-level", "Normal"))).StatusCode);
        tuples = await org.TuplesAsync();
        Assert.Contains($"asset:{id:D}#owner@user:{tina.Id:D}", tuples);
        Assert.DoesNotContain($"asset:{id:D}#owner@team:{ops:D}#member", tuples);
        await tina.Browser.GetAsync(page);
        Assert.Contains("<dd data-testid=\"asset-kind\">Service</dd>", tina.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(["High", "Normal", "Normal"], Effective(tina.Browser.LastPage!));
        // An editor edits but does not delete: no delete form, and the post is refused.
        Assert.DoesNotContain("data-testid=\"delete-asset\"", tina.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(tina, page, page + "/delete")).StatusCode);

        var deleted = await Post(org.Owner, page, page + "/delete");
        Assert.Equal(s.Assets + "?deleted=1", TestBrowser.LocationOf(deleted));
        Assert.Empty(await RowsAsync<Asset>(org.Id));
        Assert.DoesNotContain(await org.TuplesAsync(), t => t.StartsWith("asset:", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await org.Owner.Browser.GetAsync(page)).StatusCode);
        var written = (await mark.NewEventsAsync()).Select(e => e.Type).ToList();
        Assert.Single(written, t => t == AssetEvents.AssetCreated);
        Assert.Single(written, t => t == AssetEvents.AssetUpdated);
        Assert.Single(written, t => t == AssetEvents.AssetDeleted);
    }

    [Fact]
    public async Task ADependencyAddedWhileItsTargetIsDeleted_IsRefusedOrGone_NeverAServerError()
    {
        // The first version looked the target up before taking the Space's lock, and a deletion took no lock: a
        // target deleted in between failed the insert on its foreign key (500), and a dependency removed by the
        // deletion between its read and its save failed the save.
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var admin = await org.JoinAsync(OrganizationRole.Admin);
        var app = await AssetsData.CreateAsync(host, org.Id, s.Id, org.Owner.Id, "Anwendung", AssetKind.Application);
        var appPage = s.Path($"/assets/{app:D}");
        for (var round = 0; round < 12; round++)
        {
            var target = await AssetsData.CreateAsync(host, org.Id, s.Id, org.Owner.Id, $"Ziel {round}", AssetKind.Infrastructure);
            var targetPage = s.Path($"/assets/{target:D}");
            var link = Post(org.Owner, appPage, appPage + "/dependencies/add", ("dependsOn", target.ToString()));
            var delete = Post(admin, targetPage, targetPage + "/delete");
            var (linked, deleted) = (await link, await delete);
            Assert.True((int)linked.StatusCode < 500, $"round {round}: adding answered {(int)linked.StatusCode}");
            Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        }

        // Every target is gone, and with it every dependency on it: none points at a deleted asset.
        Assert.Empty(await RowsAsync<AssetDependency>(org.Id));
        Assert.Single(await RowsAsync<Asset>(org.Id));
    }

    [Fact]
    public async Task Dependencies_PassTheNeedsDown_WithTheReason_AnOverrideNeedsAJustification_AndCyclesAreRefused()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var app = await AssetsData.CreateAsync(host, org.Id, s.Id, org.Owner.Id, "Personalakte", AssetKind.Application, "VeryHigh");
        var server = await AssetsData.CreateAsync(host, org.Id, s.Id, org.Owner.Id, "Server 1", AssetKind.Infrastructure);
        var rack = await AssetsData.CreateAsync(host, org.Id, s.Id, org.Owner.Id, "Rack A", AssetKind.Physical);
        var mark = await AuditWatermark.TakeAsync(host);
        var appPage = s.Path($"/assets/{app:D}");
        var serverPage = s.Path($"/assets/{server:D}");
        var rackPage = s.Path($"/assets/{rack:D}");

        Assert.Equal(appPage + "?linked=1", TestBrowser.LocationOf(await Post(org.Owner, appPage, appPage + "/dependencies/add", ("dependsOn", server.ToString()))));
        Assert.Equal(HttpStatusCode.Redirect, (await Post(org.Owner, serverPage, serverPage + "/dependencies/add", ("dependsOn", rack.ToString()))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Post(org.Owner, serverPage, serverPage + "/dependencies/add", ("dependsOn", rack.ToString()))).StatusCode); // again: nothing new

        await org.Owner.Browser.GetAsync(serverPage);
        Assert.Equal(["Very high", "Normal", "Normal"], Effective(org.Owner.Browser.LastPage!));
        Assert.Equal("inherited from Personalakte", Reasons(org.Owner.Browser.LastPage!)[0]);
        Assert.Contains("Personalakte", Regex.Match(org.Owner.Browser.LastPage!, "<ul data-testid=\"dependents\">.*?</ul>", RegexOptions.Singleline).Value, StringComparison.Ordinal);
        await org.Owner.Browser.GetAsync(rackPage);
        Assert.Equal("Very high", Effective(org.Owner.Browser.LastPage!)[0]);
        Assert.Equal("inherited from Server 1", Reasons(org.Owner.Browser.LastPage!)[0]);

        // Rack → Personalakte would close Personalakte → Server 1 → Rack A → Personalakte; itself is the shortest cycle.
        foreach (var (page, target) in new[] { (rackPage, app), (serverPage, app), (appPage, app) })
        {
            var refused = await Post(org.Owner, page, page + "/dependencies/add", ("dependsOn", target.ToString()));
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains("This dependency would close a cycle", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        }

        // The distribution effect: the server's confidentiality set to high, which needs a justification, and passes on.
        var edit = new List<(string, string)> { ("name", "Server 1"), ("kind", "Infrastructure"), ("c-level", "Normal"), ("c-override", "High") };
        Assert.Equal(HttpStatusCode.BadRequest, (await Post(org.Owner, serverPage + "/edit", serverPage + "/update", [.. edit])).StatusCode);
        Assert.Contains("every override, needs a justification", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        edit.Add(("c-override-justification", "Only pseudonymised extracts."));
        Assert.Equal(HttpStatusCode.Redirect, (await Post(org.Owner, serverPage + "/edit", serverPage + "/update", [.. edit])).StatusCode);
        await org.Owner.Browser.GetAsync(serverPage);
        Assert.Equal("High", Effective(org.Owner.Browser.LastPage!)[0]);
        Assert.Equal("overridden: Only pseudonymised extracts.", Reasons(org.Owner.Browser.LastPage!)[0]);
        await org.Owner.Browser.GetAsync(rackPage);
        Assert.Equal("High", Effective(org.Owner.Browser.LastPage!)[0]);

        Assert.Equal(HttpStatusCode.Redirect, (await Post(org.Owner, appPage, appPage + "/dependencies/remove", ("dependsOn", server.ToString()))).StatusCode);
        await org.Owner.Browser.GetAsync(appPage);
        Assert.Contains("This asset depends on no other asset.", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Single(await RowsAsync<AssetDependency>(org.Id));
        var written = (await mark.NewEventsAsync()).Select(e => e.Type).ToList();
        Assert.Equal(2, written.Count(t => t == AssetEvents.AssetDependencyAdded));
        Assert.Single(written, t => t == AssetEvents.AssetDependencyRemoved);

        // Deleting the rack takes the server's dependency on it along.
        Assert.Equal(HttpStatusCode.Redirect, (await Post(org.Owner, rackPage, rackPage + "/delete")).StatusCode);
        Assert.Empty(await RowsAsync<AssetDependency>(org.Id));
    }

    [Fact]
    public async Task TheList_IsFilteredByKindOwnerAndLevel_SortedAndPaged()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var ops = await Tenants.CreateTeamAsync(host, org.Id, "Ops");
        for (var n = 1; n <= 27; n++)
        {
            await AssetsData.CreateAsync(host, org.Id, s.Id, org.Owner.Id, $"Laptop {n:D2}", AssetKind.Infrastructure);
        }

        await AssetsData.CreateAsync(host, org.Id, s.Id, org.Owner.Id, "Zentrale Datenbank", AssetKind.Data, "High", Subject.Team(ops).ToString());
        var app = await AssetsData.CreateAsync(host, org.Id, s.Id, org.Owner.Id, "Abrechnung", AssetKind.Application, "VeryHigh");
        var laptop = (await RowsAsync<Asset>(org.Id)).Single(a => a.Name == "Laptop 27").Id;
        await AssetsData.DependAsync(host, org.Id, s.Id, org.Owner.Id, app, laptop);

        await org.Owner.Browser.GetAsync(s.Assets);
        Assert.Contains("29 assets", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        var names = Names(org.Owner.Browser.LastPage!);
        Assert.Equal(25, names.Count);
        Assert.Equal("Abrechnung", names[0]);
        Assert.Contains("Page 1 of 2", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        await org.Owner.Browser.GetAsync(s.Assets + "?sort=Name&page=2");
        Assert.Equal(["Laptop 25", "Laptop 26", "Laptop 27", "Zentrale Datenbank"], Names(org.Owner.Browser.LastPage!));

        await org.Owner.Browser.GetAsync(s.Assets + "?kind=Data");
        Assert.Equal(["Zentrale Datenbank"], Names(org.Owner.Browser.LastPage!));
        await org.Owner.Browser.GetAsync(s.Assets + $"?owner={Uri.EscapeDataString(Subject.Team(ops).ToString())}");
        Assert.Equal(["Zentrale Datenbank"], Names(org.Owner.Browser.LastPage!));
        await org.Owner.Browser.GetAsync(s.Assets + "?owner=none&kind=Application");
        Assert.Equal(["Abrechnung"], Names(org.Owner.Browser.LastPage!));
        // The level filter is of the effective need: the laptop inherits very high from the application running on it.
        await org.Owner.Browser.GetAsync(s.Assets + "?level=VeryHigh");
        Assert.Equal(["Abrechnung", "Laptop 27"], Names(org.Owner.Browser.LastPage!));
        await org.Owner.Browser.GetAsync(s.Assets + "?sort=Protection");
        Assert.Equal(["Abrechnung", "Laptop 27", "Zentrale Datenbank", "Laptop 01"], Names(org.Owner.Browser.LastPage!)[..4]);
        await org.Owner.Browser.GetAsync(s.Assets + "?sort=Kind&page=9");
        Assert.Contains("Page 2 of 2", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal("Zentrale Datenbank", Names(org.Owner.Browser.LastPage!)[^1]);
        await org.Owner.Browser.GetAsync(s.Assets + "?kind=Person");
        Assert.Contains("No asset matches these filters.", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        // Values no form offers are ignored, never an error: the whole list.
        await org.Owner.Browser.GetAsync(s.Assets + "?kind=1&level=%3Cscript%3E&owner=user:nobody&sort=Evil&page=-3");
        Assert.Contains("29 assets", org.Owner.Browser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Viewers_AndAuditors_Read_TheOwnerEditsTheirAsset_AndNobodyButManagersDeletes()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var mia = await org.JoinAsync(OrganizationRole.Member, (s.Id, SpaceRole.Viewer));
        var audrey = await org.JoinAsync(OrganizationRole.Auditor);
        var mine = await AssetsData.CreateAsync(host, org.Id, s.Id, org.Owner.Id, "Mias Tabelle", AssetKind.Data, owner: Subject.Person(mia.Id).ToString());
        var other = await AssetsData.CreateAsync(host, org.Id, s.Id, org.Owner.Id, "Fremder Server", AssetKind.Infrastructure);
        var before = await SnapshotAsync(org);

        foreach (var reader in new[] { mia, audrey })
        {
            foreach (var page in new[] { s.Assets, s.Path($"/assets/{other:D}") })
            {
                Assert.Equal(HttpStatusCode.OK, (await reader.Browser.GetAsync(page)).StatusCode);
                Assert.DoesNotContain("method=\"post\" action=\"/o/", reader.Browser.LastPage, StringComparison.Ordinal);
            }

            Assert.Equal(HttpStatusCode.Forbidden, (await reader.Browser.GetAsync(s.Assets + "/new")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await reader.Browser.GetAsync(s.Path($"/assets/{other:D}/edit"))).StatusCode);
            foreach (var (action, fields) in Writes(s, other, mine))
            {
                var refused = await Post(reader, s.Assets, action, fields);
                Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{reader.User.Email} POST {action}: {(int)refused.StatusCode}");
            }
        }

        Assert.Equal(before, await SnapshotAsync(org));

        // Mia owns her table: she edits it and what it depends on, though only a viewer of the Space; she does not delete it.
        var minePage = s.Path($"/assets/{mine:D}");
        await mia.Browser.GetAsync(minePage);
        Assert.Contains("data-testid=\"edit-asset-link\"", mia.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await Post(mia, minePage + "/edit", minePage + "/update", ("name", "Mias Tabelle"), ("kind", "Data"), ("owner", Subject.Person(mia.Id).ToString()),
            ("i-level", "High"), ("i-justification", "Payroll."))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Post(mia, minePage, minePage + "/dependencies/add", ("dependsOn", other.ToString()))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(mia, minePage, minePage + "/delete")).StatusCode);
        Assert.Equal("High", (await RowsAsync<Asset>(org.Id)).Single(a => a.Id == mine).Integrity.ToString());
        // Nor does she hand her table (and with it edit rights) to someone else: that is for the Space's editors.
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(mia, minePage + "/edit", minePage + "/update", ("name", "Mias Tabelle"), ("kind", "Data"), ("owner", Subject.Person(audrey.Id).ToString()),
            ("i-level", "High"), ("i-justification", "Payroll."))).StatusCode);
        Assert.Contains($"asset:{mine:D}#owner@user:{mia.Id:D}", await org.TuplesAsync());
    }

    [Fact]
    public async Task Anonymous_IsSentToSignIn_EverywhereAndChangesNothing()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var asset = await AssetsData.CreateAsync(host, org.Id, s.Id, org.Owner.Id, "Server");
        var other = await AssetsData.CreateAsync(host, org.Id, s.Id, org.Owner.Id, "Rack");
        using var anonymous = host.CreateBrowser();
        await anonymous.GetAsync("/account/sign-in");
        var token = anonymous.AnyAntiforgeryToken();
        var before = await SnapshotAsync(org);

        foreach (var page in new[] { s.Assets, s.Assets + "/new", s.Path($"/assets/{asset:D}"), s.Path($"/assets/{asset:D}/edit") })
        {
            var response = await anonymous.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(response), StringComparison.Ordinal);
        }

        foreach (var (action, fields) in Writes(s, asset, other))
        {
            var values = fields.ToDictionary(f => f.Item1, f => f.Item2);
            values["__RequestVerificationToken"] = token;
            var response = await anonymous.PostAsync(action, values);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"POST {action}: {(int)response.StatusCode}");
            Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(response), StringComparison.Ordinal);
        }

        Assert.Equal(before, await SnapshotAsync(org));
    }

    [Fact]
    public async Task AnotherOrganization_AndAMemberOfAnotherSpace_FindNothing()
    {
        await using var alice = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(alice);
        var lab = await SpaceAsync(alice, "Labor");
        var asset = await AssetsData.CreateAsync(host, alice.Id, s.Id, alice.Owner.Id, "Geheimer Server");
        var other = await AssetsData.CreateAsync(host, alice.Id, s.Id, alice.Owner.Id, "Geheimes Rack");
        var labAsset = await AssetsData.CreateAsync(host, alice.Id, lab.Id, alice.Owner.Id, "Laborgerät");
        var labEditor = await alice.JoinAsync(OrganizationRole.Member, (lab.Id, SpaceRole.Editor));
        await using var bob = await OrganizationFixture.CreateAsync(host);
        var b = await SpaceAsync(bob);
        var before = await SnapshotAsync(alice);

        var pages = new[] { s.Assets, s.Assets + "/new", s.Path($"/assets/{asset:D}"), s.Path($"/assets/{asset:D}/edit") };
        foreach (var (person, page) in pages.Select(p => (bob.Owner, p)).Concat(pages.Select(p => (labEditor, p)))
                     .Append((bob.Owner, b.Path($"/assets/{asset:D}"))).Append((labEditor, lab.Path($"/assets/{asset:D}"))))
        {
            Assert.True((await person.Browser.GetAsync(page)).StatusCode == HttpStatusCode.NotFound, $"{person.User.Email} GET {page}");
            Assert.DoesNotContain("Geheim", person.Browser.LastPage, StringComparison.Ordinal);
        }

        foreach (var (person, own) in new[] { (bob.Owner, b), (labEditor, lab) })
        {
            foreach (var (action, fields) in Writes(s, asset, other))
            {
                Assert.True((await Post(person, own.Assets, action, fields)).StatusCode == HttpStatusCode.NotFound, $"{person.User.Email} POST {action}");
            }
        }

        // Alice's ids through Bob's own Space, and through the lab where the editor may write: no such asset there.
        foreach (var (person, space) in new[] { (bob.Owner, b), (labEditor, lab) })
        {
            foreach (var (action, fields) in Writes(space, asset, other).Where(w => !w.Action.EndsWith("/create", StringComparison.Ordinal)))
            {
                var refused = await Post(person, space.Assets, action, fields);
                Assert.True(refused.StatusCode is HttpStatusCode.NotFound, $"{person.User.Email} POST {action}: {(int)refused.StatusCode}");
            }
        }

        // A lab asset cannot depend on an asset of another Space.
        var labPage = lab.Path($"/assets/{labAsset:D}");
        Assert.Equal(HttpStatusCode.BadRequest, (await Post(labEditor, labPage, labPage + "/dependencies/add", ("dependsOn", asset.ToString()))).StatusCode);
        Assert.Contains("Choose another asset of this space.", labEditor.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(alice));
        Assert.Empty(await RowsAsync<Asset>(bob.Id));
    }

    [Fact]
    public async Task BadInput_IsRefusedWithAMessage_AndChangesNothing()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var asset = await AssetsData.CreateAsync(host, org.Id, s.Id, org.Owner.Id, "Server");
        await using var other = await OrganizationFixture.CreateAsync(host);
        var theirTeam = await Tenants.CreateTeamAsync(host, other.Id, "Fremd");
        var page = s.Path($"/assets/{asset:D}");
        var before = await SnapshotAsync(org);

        var cases = new (string Action, (string, string)[] Fields, string Message)[]
        {
            (s.Path("/assets/create"), [("name", "  "), ("kind", "Data")], "An asset needs a name of at most 200 characters"),
            (s.Path("/assets/create"), [("name", new string('x', 201)), ("kind", "Data")], "An asset needs a name of at most 200 characters"),
            (s.Path("/assets/create"), [("name", "Bell\u0007"), ("kind", "Data")], "An asset needs a name of at most 200 characters"),
            (s.Path("/assets/create"), [("name", "X"), ("kind", "Data"), ("description", new string('x', 4001))], "An asset needs a name of at most 200 characters"),
            (s.Path("/assets/create"), [("name", "X"), ("kind", "Spaceship")], "Choose one of the asset kinds."),
            (s.Path("/assets/create"), [("name", "X"), ("kind", "3")], "Choose one of the asset kinds."),
            (s.Path("/assets/create"), [("name", "X"), ("kind", "Data"), ("c-level", "Extreme")], "Choose normal, high or very high"),
            (s.Path("/assets/create"), [("name", "X"), ("kind", "Data"), ("a-override", "2"), ("a-override-justification", "x")], "Choose normal, high or very high"),
            (s.Path("/assets/create"), [("name", "X"), ("kind", "Data"), ("i-level", "High")], "needs a justification"),
            (s.Path("/assets/create"), [("name", "X"), ("kind", "Data"), ("i-level", "VeryHigh"), ("i-justification", new string('x', 1001))], "needs a justification"),
            (s.Path("/assets/create"), [("name", "X"), ("kind", "Data"), ("a-override", "Normal")], "needs a justification"),
            (page + "/update", [("name", "Server"), ("kind", "Data"), ("owner", $"user:{other.Owner.Id:D}")], "The owner must be a member or a team of this organization."),
            (page + "/update", [("name", "Server"), ("kind", "Data"), ("owner", $"team:{theirTeam:D}")], "The owner must be a member or a team of this organization."),
            (page + "/update", [("name", "Server"), ("kind", "Data"), ("owner", "root")], "The owner must be a member or a team of this organization."),
            (page + "/dependencies/add", [("dependsOn", "nonsense")], "Choose another asset of this space."),
            (page + "/dependencies/add", [("dependsOn", Guid.NewGuid().ToString())], "Choose another asset of this space."),
            (page + "/dependencies/remove", [("dependsOn", Guid.NewGuid().ToString())], "Choose another asset of this space."),
        };
        foreach (var (action, fields, message) in cases)
        {
            var refused = await Post(org.Owner, page, action, fields);
            Assert.True(refused.StatusCode is HttpStatusCode.BadRequest, $"POST {action} {string.Join(',', fields)}: {(int)refused.StatusCode}");
            Assert.Contains(message, org.Owner.Browser.LastPage, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await Post(org.Owner, page, s.Path($"/assets/{Guid.NewGuid():D}/update"), ("name", "X"), ("kind", "Data"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await org.Owner.Browser.GetAsync(s.Path($"/assets/{Guid.NewGuid():D}"))).StatusCode);
        Assert.Equal(before, await SnapshotAsync(org));
    }

    [Fact]
    public async Task PostsWithoutTheirAntiforgeryToken_AreRefused_AndChangeNothing()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var asset = await AssetsData.CreateAsync(host, org.Id, s.Id, org.Owner.Id, "Server");
        var other = await AssetsData.CreateAsync(host, org.Id, s.Id, org.Owner.Id, "Rack");
        await AssetsData.DependAsync(host, org.Id, s.Id, org.Owner.Id, asset, other);
        var before = await SnapshotAsync(org);

        foreach (var (action, fields) in Writes(s, asset, other))
        {
            var refused = await org.Owner.Browser.PostWithoutTokenAsync(action, fields.ToDictionary(f => f.Item1, f => f.Item2));
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"POST {action}: {(int)refused.StatusCode}");
        }

        Assert.Equal(before, await SnapshotAsync(org));
    }

    [Fact]
    public async Task ThePages_SpeakGerman_AndTheSpaceLinksToThem()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var app = await AssetsData.CreateAsync(host, org.Id, s.Id, org.Owner.Id, "Lohn", AssetKind.Application, "High");
        var server = await AssetsData.CreateAsync(host, org.Id, s.Id, org.Owner.Id, "Server", AssetKind.Infrastructure);
        await AssetsData.DependAsync(host, org.Id, s.Id, org.Owner.Id, app, server);
        await org.Owner.Browser.GetAsync(s.Path(""));
        Assert.Equal(HttpStatusCode.Redirect, (await org.Owner.Browser.PostAsync("/culture", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = org.Owner.Browser.AnyAntiforgeryToken(),
            ["culture"] = "de",
            ["returnUrl"] = s.Path(""),
        })).StatusCode);

        await org.Owner.Browser.GetAsync(s.Path(""));
        Assert.Contains($"href=\"{s.Assets}\">Assets</a>", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        await org.Owner.Browser.GetAsync(s.Assets);
        Assert.Contains("Wovon ein Asset abhängt, erbt seinen Schutzbedarf", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("Höchster Schutzbedarf zuerst", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        await org.Owner.Browser.GetAsync(s.Path($"/assets/{server:D}"));
        Assert.Equal("geerbt von Lohn", Reasons(org.Owner.Browser.LastPage!)[0]);
        Assert.Equal("Hoch", Effective(org.Owner.Browser.LastPage!)[0]);
        await org.Owner.Browser.GetAsync(s.Assets + "/new");
        Assert.Contains("Vertraulichkeit", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        await org.Owner.Browser.GetAsync(s.Path($"/assets/{server:D}/edit"));
        Assert.Contains("Abweichung vom geerbten Schutzbedarf", org.Owner.Browser.LastPage, StringComparison.Ordinal);
    }

    /// <summary>Every write of an asset, with fields that would succeed for the owner.</summary>
    private static IEnumerable<(string Action, (string, string)[] Fields)> Writes(SpacePaths s, Guid asset, Guid other) =>
    [
        (s.Path("/assets/create"), [("name", "Forged"), ("kind", "Data")]),
        (s.Path($"/assets/{asset:D}/update"), [("name", "Forged"), ("kind", "Data")]),
        (s.Path($"/assets/{asset:D}/dependencies/add"), [("dependsOn", other.ToString())]),
        (s.Path($"/assets/{asset:D}/dependencies/remove"), [("dependsOn", other.ToString())]),
        (s.Path($"/assets/{asset:D}/delete"), []),
    ];

    private static Task<HttpResponseMessage> Post(Person person, string page, string action, params (string Name, string Value)[] fields) =>
        person.Browser.PostFromAsync(page, action, fields.ToDictionary(f => f.Name, f => f.Value));

    private static List<string> Effective(string page) =>
        [.. Regex.Matches(page, "<td data-label=\"[^\"]*\" data-testid=\"effective\">(.*?)</td>").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];

    private static List<string> Reasons(string page) =>
        [.. Regex.Matches(page, "<td data-label=\"[^\"]*\" data-testid=\"reason\">(.*?)</td>").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];

    private static List<string> Names(string page) =>
        [.. Regex.Matches(page, "<tr data-testid=\"asset\">\\s*<td[^>]*><a href=\"[^\"]*\">(.*?)</a>").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];

    private Task<SpacePaths> SpaceAsync(OrganizationFixture org, string name = "Scope") => AssetsData.SpaceAsync(host, org, name);

    private Task<List<T>> RowsAsync<T>(Guid organizationId)
        where T : class => AssetsData.RowsAsync<T>(host, organizationId);

    /// <summary>Everything the feature keeps for the organization (rows and tuples), to show a refusal changed nothing.</summary>
    private async Task<string> SnapshotAsync(OrganizationFixture org)
    {
        var assets = await RowsAsync<Asset>(org.Id);
        var dependencies = await RowsAsync<AssetDependency>(org.Id);
        return string.Join('\n',
        [
            .. assets.OrderBy(a => a.Id).Select(a => $"{a.Id} {a.Name} {a.Kind} {a.Description} {a.Confidentiality} {a.Integrity} {a.Availability} {a.AvailabilityOverride} {a.UpdatedAt:O}"),
            .. dependencies.OrderBy(d => d.Id).Select(d => $"{d.AssetId} {d.DependsOnId}"),
            .. await org.TuplesAsync(),
        ]);
    }
}

public sealed class AssetsTestsOnSqlite(SqliteHost host) : AssetsTests(host), IClassFixture<SqliteHost>;

public sealed class AssetsTestsOnPostgres(PostgresHost host) : AssetsTests(host), IClassFixture<PostgresHost>;
