using System.Net;
using System.Text.RegularExpressions;
using Kastell.Server.Features.Controls;
using Kastell.Server.Features.Controls.Adoption;
using Kastell.Server.Features.Controls.Applicability;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.Controls;

/// <summary>
/// A Space's frameworks, controls and statement of applicability over HTTP, as people use them: adopting and ending
/// an adoption (history kept), controls answering requirements of two frameworks (shown both ways), owner and status,
/// the justification the statement asks for — and every refusal: anonymous, another organization, a role without the
/// permission, bad input, a post without its antiforgery token. On each provider.
/// </summary>
public abstract partial class ControlsTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Manager_AdoptsAFramework_EndsTheAdoption_AndTheHistoryStays()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var iso = await ControlsData.ImportAsync(host, org.Slug, "Hausnorm 27001", "2022", ("A.5.1", "Policies"), ("A.5.2", "Roles"));
        var mark = await AuditWatermark.TakeAsync(host);

        Assert.Equal(HttpStatusCode.OK, (await org.Owner.Browser.GetAsync(s.Frameworks)).StatusCode);
        Assert.Contains("This space adopts no framework yet. Adopt one below", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"adopt-form\"", org.Owner.Browser.LastPage, StringComparison.Ordinal);

        var adopted = await Post(org.Owner, s.Frameworks, s.Path("/frameworks/adopt"), ("framework", iso.ToString()));
        Assert.Equal(s.Frameworks + "?adopted=1", TestBrowser.LocationOf(adopted));
        await org.Owner.Browser.GetAsync(s.Frameworks);
        Assert.Contains("Hausnorm 27001", Adoptions().Match(org.Owner.Browser.LastPage!).Value, StringComparison.Ordinal);
        Assert.Contains("0 of 2 requirements decided", org.Owner.Browser.LastPage, StringComparison.Ordinal);

        var again = await Post(org.Owner, s.Frameworks, s.Path("/frameworks/adopt"), ("framework", iso.ToString()));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("This space adopts this framework already.", org.Owner.Browser.LastPage, StringComparison.Ordinal);

        var ended = await Post(org.Owner, s.Frameworks, s.Path("/frameworks/end"), ("framework", iso.ToString()));
        Assert.Equal(s.Frameworks + "?ended=1", TestBrowser.LocationOf(ended));
        await org.Owner.Browser.GetAsync(s.Frameworks);
        Assert.DoesNotContain("data-testid=\"adoptions\"", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"ended-adoption\"", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await org.Owner.Browser.GetAsync(s.Soa(iso))).StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, (await Post(org.Owner, s.Frameworks, s.Path("/frameworks/adopt"), ("framework", iso.ToString()))).StatusCode);
        var rows = await RowsAsync<FrameworkAdoption>(org.Id);
        Assert.Equal(2, rows.Count);
        Assert.Single(rows, a => a.EndedAt is null);
        Assert.Single(rows, a => a.EndedAt is not null && a.EndedBy == $"user:{org.Owner.Id}");
        var written = (await mark.NewEventsAsync()).Select(e => e.Type).ToList();
        Assert.Equal(2, written.Count(t => t == ControlEvents.FrameworkAdopted));
        Assert.Single(written, t => t == ControlEvents.FrameworkAdoptionEnded);
    }

    [Fact]
    public async Task Editor_CreatesAControl_ThatAnswersRequirementsOfTwoFrameworks_ShownBothWays()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var iso = await ControlsData.ImportAsync(host, org.Slug, "Hausnorm 27001", "2022", ("A.5.1", "Policies"), ("A.5.2", "Roles"));
        var nist = await ControlsData.ImportAsync(host, org.Slug, "Hauskatalog 800-53", "5", ("ac-1", "Policy and procedures"), ("ac-2", "Account management"));
        await ControlsData.AdoptAsync(host, org.Id, s.Id, org.Owner.Id, iso);
        await ControlsData.AdoptAsync(host, org.Id, s.Id, org.Owner.Id, nist);
        var tina = await org.JoinAsync(OrganizationRole.Member, (s.Id, SpaceRole.Editor));
        var ops = await Tenants.CreateTeamAsync(host, org.Id, "Ops");
        var mark = await AuditWatermark.TakeAsync(host);

        await tina.Browser.GetAsync(s.Controls);
        Assert.Contains("This space has no controls yet. Create the first one below", tina.Browser.LastPage, StringComparison.Ordinal);
        var created = await Post(tina, s.Controls, s.Path("/controls/create"), ("title", "Information security policy"), ("description", "Approved yearly\nby the board."));
        var controlPage = TestBrowser.LocationOf(created)!;
        Assert.Matches($"^{Regex.Escape(s.Path("/controls/"))}[0-9a-f-]{{36}}\\?created=1$", controlPage);
        controlPage = controlPage[..controlPage.IndexOf('?', StringComparison.Ordinal)];
        var id = Guid.Parse(controlPage[(controlPage.LastIndexOf('/') + 1)..]);
        Assert.Contains($"control:{id:D}#space@space:{s.Id:D}", await org.TuplesAsync());

        Assert.Equal(HttpStatusCode.Redirect, (await Post(tina, controlPage, controlPage + "/links/add", ("framework", iso.ToString()), ("requirement", "A.5.1"))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Post(tina, controlPage, controlPage + "/links/add", ("framework", nist.ToString()), ("requirement", " AC-2 "))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Post(tina, controlPage, controlPage + "/links/add", ("framework", nist.ToString()), ("requirement", "ac-2"))).StatusCode); // again: nothing new
        Assert.Equal(HttpStatusCode.Redirect, (await Post(tina, controlPage, controlPage + "/edit",
            ("title", "Information security policy"), ("description", "Approved yearly\nby the board."), ("status", "Implemented"), ("owner", Subject.Team(ops).ToString()))).StatusCode);

        await tina.Browser.GetAsync(controlPage);
        var linked = LinkedRows().Matches(tina.Browser.LastPage!).Select(m => m.Value).ToList();
        Assert.Equal(2, linked.Count);
        Assert.Contains(linked, r => r.Contains("A.5.1", StringComparison.Ordinal) && r.Contains("Hausnorm 27001", StringComparison.Ordinal));
        Assert.Contains(linked, r => r.Contains("ac-2", StringComparison.Ordinal) && r.Contains("Hauskatalog 800-53", StringComparison.Ordinal));
        Assert.Contains("<dd data-testid=\"control-status\">Implemented</dd>", tina.Browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("<dd data-testid=\"control-owner\">Ops</dd>", tina.Browser.LastPage, StringComparison.Ordinal);
        Assert.Contains($"control:{id:D}#owner@team:{ops:D}#member", await org.TuplesAsync());

        // The other way: each requirement's line of its statement names the control.
        await tina.Browser.GetAsync(s.Soa(iso));
        var lines = SoaLines().Matches(tina.Browser.LastPage!).Select(m => m.Value).ToList();
        Assert.Contains("Information security policy", lines.Single(l => l.Contains("A.5.1", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.DoesNotContain("Information security policy", lines.Single(l => l.Contains("A.5.2", StringComparison.Ordinal)), StringComparison.Ordinal);
        await tina.Browser.GetAsync(s.Soa(nist));
        Assert.Contains("Information security policy", SoaLines().Matches(tina.Browser.LastPage!).Single(m => m.Value.Contains("ac-2", StringComparison.Ordinal)).Value, StringComparison.Ordinal);

        // The list shows owner, status and how many requirements the control answers; a person as owner replaces the team.
        Assert.Equal(HttpStatusCode.Redirect, (await Post(tina, controlPage, controlPage + "/edit",
            ("title", "Information security policy"), ("description", ""), ("status", "PartiallyImplemented"), ("owner", Subject.Person(tina.Id).ToString()))).StatusCode);
        await tina.Browser.GetAsync(s.Controls);
        var row = ControlRows().Match(tina.Browser.LastPage!).Value;
        Assert.Contains("Partially implemented", row, StringComparison.Ordinal);
        Assert.Contains(tina.User.Email, row, StringComparison.Ordinal);
        Assert.Contains(">2</td>", row, StringComparison.Ordinal);
        var tuples = await org.TuplesAsync();
        Assert.Contains($"control:{id:D}#owner@user:{tina.Id:D}", tuples);
        Assert.DoesNotContain($"control:{id:D}#owner@team:{ops:D}#member", tuples);

        var iso51 = (await RowsAsync<ControlRequirement>(org.Id)).Select(l => l.RequirementId).ToList();
        Assert.Equal(2, iso51.Count);
        foreach (var requirement in iso51)
        {
            Assert.Equal(HttpStatusCode.Redirect, (await Post(tina, controlPage, controlPage + "/links/remove", ("requirement", requirement.ToString()))).StatusCode);
        }

        Assert.Empty(await RowsAsync<ControlRequirement>(org.Id));
        await tina.Browser.GetAsync(controlPage);
        Assert.Contains("This control answers no requirement yet. Link it below", tina.Browser.LastPage, StringComparison.Ordinal);
        var written = (await mark.NewEventsAsync()).Select(e => e.Type).ToList();
        Assert.Single(written, t => t == ControlEvents.ControlCreated);
        Assert.Equal(2, written.Count(t => t == ControlEvents.ControlRequirementLinked));
        Assert.Equal(2, written.Count(t => t == ControlEvents.ControlRequirementUnlinked));
        Assert.Equal(2, written.Count(t => t == ControlEvents.ControlUpdated));
    }

    [Fact]
    public async Task TheStatementOfApplicability_AsksAJustification_ForExclusionsAndInclusions()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var iso = await ControlsData.ImportAsync(host, org.Slug, "Hausnorm 27001", "2022", ("A.5.1", "Policies"), ("A.5.2", "Roles"));
        var other = await ControlsData.ImportAsync(host, org.Slug, "Nicht übernommen", "1", ("x-1", "Elsewhere"));
        await ControlsData.AdoptAsync(host, org.Id, s.Id, org.Owner.Id, iso);
        var requirements = await RequirementIdsAsync(org.Id);
        var a52 = requirements["A.5.2"];
        var soa = s.Soa(iso);

        await org.Owner.Browser.GetAsync(soa);
        Assert.Equal(2, SoaLines().Count(org.Owner.Browser.LastPage!));
        Assert.Contains("Not decided yet", org.Owner.Browser.LastPage, StringComparison.Ordinal);

        foreach (var (applicable, justification) in new[] { ("no", ""), ("yes", "   "), ("maybe", "Because."), ("no", new string('x', 2001)) })
        {
            var refused = await Post(org.Owner, soa, s.Path("/soa"), ("framework", iso.ToString()), ("requirement", a52.ToString()), ("applicable", applicable), ("justification", justification));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("justify the decision", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        }

        var notAdopted = await Post(org.Owner, soa, s.Path("/soa"), ("framework", iso.ToString()), ("requirement", requirements["x-1"].ToString()), ("applicable", "no"), ("justification", "Not ours."));
        Assert.Equal(HttpStatusCode.BadRequest, notAdopted.StatusCode);
        Assert.Contains("There is no such requirement in a framework this space adopts.", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Empty(await RowsAsync<ApplicabilityEntry>(org.Id));

        var saved = await Post(org.Owner, soa, s.Path("/soa"), ("framework", iso.ToString()), ("requirement", a52.ToString()), ("applicable", "no"), ("justification", "Roles are defined by the group, outside this scope."), ("page", "1"));
        Assert.Equal($"{soa}?page=1&saved=1#r-{a52:D}", TestBrowser.LocationOf(saved));
        Assert.Equal(HttpStatusCode.Redirect, (await Post(org.Owner, soa, s.Path("/soa"), ("framework", iso.ToString()), ("requirement", requirements["A.5.1"].ToString()), ("applicable", "yes"), ("justification", "Required by the risk treatment plan."))).StatusCode);
        await org.Owner.Browser.GetAsync(soa);
        var line = SoaLines().Matches(org.Owner.Browser.LastPage!).Single(m => m.Value.Contains("A.5.2", StringComparison.Ordinal)).Value;
        Assert.Contains("<strong>Not applicable</strong>", line, StringComparison.Ordinal);
        Assert.Contains("Roles are defined by the group, outside this scope.", line, StringComparison.Ordinal);
        Assert.Contains("2 of 2 requirements decided", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        var entries = await RowsAsync<ApplicabilityEntry>(org.Id);
        Assert.Equal(2, entries.Count);
        Assert.False(entries.Single(e => e.RequirementId == a52).Applicable);
        _ = other;
    }

    [Fact]
    public async Task Manager_DeletesAControl_WithItsAnswersAndTuples_EditorsMayNot_AndTheStatementShowsTheRequirementUnanswered()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var iso = await ControlsData.ImportAsync(host, org.Slug, "Hausnorm 27001", "2022", ("A.5.1", "Policies"));
        await ControlsData.AdoptAsync(host, org.Id, s.Id, org.Owner.Id, iso);
        var control = await ControlsData.CreateControlAsync(host, org.Id, s.Id, org.Owner.Id, "Backup");
        var controlPage = s.Path($"/controls/{control:D}");
        var tina = await org.JoinAsync(OrganizationRole.Member, (s.Id, SpaceRole.Editor));
        Assert.Equal(HttpStatusCode.Redirect, (await Post(tina, controlPage, controlPage + "/links/add", ("framework", iso.ToString()), ("requirement", "A.5.1"))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Post(tina, controlPage, controlPage + "/edit", ("title", "Backup"), ("status", "Implemented"), ("owner", Subject.Person(tina.Id).ToString()))).StatusCode);
        Assert.Contains($"control:{control:D}#owner@user:{tina.Id:D}", await org.TuplesAsync());
        var mark = await AuditWatermark.TakeAsync(host);

        // Editing is the editors'; deleting the managers' (control#can_delete): no form for Tina, and her post is refused.
        await tina.Browser.GetAsync(controlPage);
        Assert.DoesNotContain("data-testid=\"delete-control\"", tina.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(tina, s.Controls, controlPage + "/delete")).StatusCode);
        Assert.Single(await RowsAsync<Control>(org.Id));

        await org.Owner.Browser.GetAsync(controlPage);
        Assert.Contains("data-testid=\"delete-control\"", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        var deleted = await Post(org.Owner, controlPage, controlPage + "/delete");
        Assert.Equal(s.Controls + "?deleted=1", TestBrowser.LocationOf(deleted));
        await org.Owner.Browser.GetAsync(s.Controls + "?deleted=1");
        Assert.Contains("The control has been deleted.", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Empty(await RowsAsync<Control>(org.Id));
        Assert.Empty(await RowsAsync<ControlRequirement>(org.Id));
        Assert.DoesNotContain(await org.TuplesAsync(), t => t.Contains($"control:{control:D}", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await org.Owner.Browser.GetAsync(controlPage)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Post(org.Owner, s.Controls, controlPage + "/delete")).StatusCode);

        await org.Owner.Browser.GetAsync(s.Soa(iso));
        var line = SoaLines().Match(org.Owner.Browser.LastPage!).Value;
        Assert.DoesNotContain("Backup", line, StringComparison.Ordinal);
        Assert.Contains("no control yet", line, StringComparison.Ordinal);
        var deletion = Assert.Single(await mark.NewEventsAsync(), e => e.Type == ControlEvents.ControlDeleted);
        Assert.Equal(org.Owner.Id.ToString(), deletion.ActorId);
    }

    [Fact]
    public async Task Viewers_AndAuditors_Read_ButChangeNothing_AndEditorsCannotAdopt()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var iso = await ControlsData.ImportAsync(host, org.Slug, "Hausnorm 27001", "2022", ("A.5.1", "Policies"));
        var spare = await ControlsData.ImportAsync(host, org.Slug, "Zweite Norm", "1", ("z-1", "Zwei"));
        await ControlsData.AdoptAsync(host, org.Id, s.Id, org.Owner.Id, iso);
        var control = await ControlsData.CreateControlAsync(host, org.Id, s.Id, org.Owner.Id, "Backup");
        var requirement = (await RequirementIdsAsync(org.Id))["A.5.1"];
        var mia = await org.JoinAsync(OrganizationRole.Member, (s.Id, SpaceRole.Viewer));
        var audrey = await org.JoinAsync(OrganizationRole.Auditor);
        var tina = await org.JoinAsync(OrganizationRole.Member, (s.Id, SpaceRole.Editor));
        var controlPage = s.Path($"/controls/{control:D}");
        var before = await SnapshotAsync(org);

        foreach (var reader in new[] { mia, audrey })
        {
            foreach (var page in new[] { s.Frameworks, s.Controls, controlPage, s.Soa(iso) })
            {
                Assert.Equal(HttpStatusCode.OK, (await reader.Browser.GetAsync(page)).StatusCode);
                Assert.DoesNotContain("method=\"post\" action=\"/o/", reader.Browser.LastPage, StringComparison.Ordinal);
            }

            await reader.Browser.GetAsync(s.Controls);
            Assert.Contains("Backup", ControlRows().Match(reader.Browser.LastPage!).Value, StringComparison.Ordinal);
            foreach (var (action, fields) in Writes(s, iso, control, requirement))
            {
                var refused = await Post(reader, s.Controls, action, fields);
                Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{reader.User.Email} POST {action}: {(int)refused.StatusCode}");
            }
        }

        foreach (var (action, fields) in new[] { (s.Path("/frameworks/adopt"), new[] { ("framework", spare.ToString()) }), (s.Path("/frameworks/end"), new[] { ("framework", iso.ToString()) }) })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await Post(tina, s.Frameworks, action, fields)).StatusCode);
        }

        await tina.Browser.GetAsync(s.Frameworks);
        Assert.DoesNotContain("data-testid=\"adopt-form\"", tina.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(org));
    }

    [Fact]
    public async Task Anonymous_IsSentToSignIn_EverywhereAndChangesNothing()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var iso = await ControlsData.ImportAsync(host, org.Slug, "Hausnorm 27001", "2022", ("A.5.1", "Policies"));
        await ControlsData.AdoptAsync(host, org.Id, s.Id, org.Owner.Id, iso);
        var control = await ControlsData.CreateControlAsync(host, org.Id, s.Id, org.Owner.Id, "Backup");
        var requirement = (await RequirementIdsAsync(org.Id))["A.5.1"];
        using var anonymous = host.CreateBrowser();
        await anonymous.GetAsync("/account/sign-in");
        var token = anonymous.AnyAntiforgeryToken();
        var before = await SnapshotAsync(org);

        foreach (var page in new[] { s.Frameworks, s.Controls, s.Path($"/controls/{control:D}"), s.Soa(iso) })
        {
            var response = await anonymous.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(response), StringComparison.Ordinal);
        }

        foreach (var (action, fields) in Writes(s, iso, control, requirement).Append((s.Path("/frameworks/adopt"), [("framework", iso.ToString())])))
        {
            var response = await anonymous.PostAsync(action, Fields(fields, token));
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"POST {action}: {(int)response.StatusCode}");
            Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(response), StringComparison.Ordinal);
        }

        Assert.Equal(before, await SnapshotAsync(org));
    }

    [Fact]
    public async Task AnotherOrganization_FindsNothing_NotEvenThroughItsOwnSpace()
    {
        await using var alice = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(alice);
        var iso = await ControlsData.ImportAsync(host, alice.Slug, "Hausnorm 27001", "2022", ("A.5.1", "Policies"));
        await ControlsData.AdoptAsync(host, alice.Id, s.Id, alice.Owner.Id, iso);
        var control = await ControlsData.CreateControlAsync(host, alice.Id, s.Id, alice.Owner.Id, "Geheime Maßnahme");
        var requirement = (await RequirementIdsAsync(alice.Id))["A.5.1"];
        await using var bob = await OrganizationFixture.CreateAsync(host);
        var b = await SpaceAsync(bob);
        var before = await SnapshotAsync(alice);

        foreach (var page in new[] { s.Frameworks, s.Controls, s.Path($"/controls/{control:D}"), s.Soa(iso), b.Path($"/controls/{control:D}"), b.Soa(iso) })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await bob.Owner.Browser.GetAsync(page)).StatusCode);
            Assert.DoesNotContain("Geheime Maßnahme", bob.Owner.Browser.LastPage, StringComparison.Ordinal);
        }

        // Alice's ids through Alice's address, and through Bob's own Space: not found, or no such thing in Bob's library.
        foreach (var (action, fields) in Writes(s, iso, control, requirement).Append((s.Path("/frameworks/adopt"), [("framework", iso.ToString())])))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await Post(bob.Owner, b.Controls, action, fields)).StatusCode);
        }

        foreach (var (action, fields) in Writes(b, iso, control, requirement).Where(w => !w.Action.EndsWith("/create", StringComparison.Ordinal)))
        {
            var refused = await Post(bob.Owner, b.Controls, action, fields);
            Assert.True(refused.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"POST {action}: {(int)refused.StatusCode}");
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await Post(bob.Owner, b.Frameworks, b.Path("/frameworks/adopt"), ("framework", iso.ToString()))).StatusCode);
        Assert.Contains("Choose a framework of your organization", bob.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(alice));
        Assert.Empty(await RowsAsync<FrameworkAdoption>(bob.Id));
    }

    [Fact]
    public async Task BadInput_IsRefusedWithAMessage_AndChangesNothing()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var iso = await ControlsData.ImportAsync(host, org.Slug, "Hausnorm 27001", "2022", ("A.5.1", "Policies"));
        await ControlsData.AdoptAsync(host, org.Id, s.Id, org.Owner.Id, iso);
        var control = await ControlsData.CreateControlAsync(host, org.Id, s.Id, org.Owner.Id, "Backup");
        await using var other = await OrganizationFixture.CreateAsync(host);
        var theirTeam = await Tenants.CreateTeamAsync(host, other.Id, "Fremd");
        var page = s.Path($"/controls/{control:D}");
        var before = await SnapshotAsync(org);

        var cases = new (string Action, (string, string)[] Fields, string Message)[]
        {
            (s.Path("/frameworks/adopt"), [("framework", "not-a-guid")], "Choose a framework of your organization"),
            (s.Path("/frameworks/adopt"), [("framework", Guid.NewGuid().ToString())], "Choose a framework of your organization"),
            (s.Path("/frameworks/end"), [("framework", Guid.NewGuid().ToString())], "This space does not adopt this framework."),
            (s.Path("/controls/create"), [("title", "  ")], "A control needs a title of at most 300 characters"),
            (s.Path("/controls/create"), [("title", new string('x', 301))], "A control needs a title of at most 300 characters"),
            (s.Path("/controls/create"), [("title", "Bell\u0007")], "A control needs a title of at most 300 characters"),
            (page + "/edit", [("title", "Backup"), ("status", "Done")], "Choose one of the implementation statuses."),
            (page + "/edit", [("title", "Backup"), ("status", "3")], "Choose one of the implementation statuses."),
            (page + "/edit", [("title", "Backup"), ("status", "Implemented"), ("owner", $"user:{other.Owner.Id:D}")], "The owner must be a member or a team of this organization."),
            (page + "/edit", [("title", "Backup"), ("status", "Implemented"), ("owner", $"team:{theirTeam:D}")], "The owner must be a member or a team of this organization."),
            (page + "/edit", [("title", "Backup"), ("status", "Implemented"), ("owner", "root")], "The owner must be a member or a team of this organization."),
            (page + "/links/add", [("framework", iso.ToString()), ("requirement", "A.9.9")], "There is no such requirement in a framework this space adopts."),
            (page + "/links/add", [("framework", Guid.NewGuid().ToString()), ("requirement", "A.5.1")], "This space does not adopt this framework."),
            (page + "/links/remove", [("requirement", "nonsense")], "There is no such requirement in a framework this space adopts."),
        };
        foreach (var (action, fields, message) in cases)
        {
            var refused = await Post(org.Owner, page, action, fields);
            Assert.True(refused.StatusCode is HttpStatusCode.BadRequest, $"POST {action} {string.Join(',', fields)}: {(int)refused.StatusCode}");
            Assert.Contains(message, org.Owner.Browser.LastPage, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await Post(org.Owner, page, s.Path($"/controls/{Guid.NewGuid():D}/edit"), ("title", "X"), ("status", "Planned"))).StatusCode);
        Assert.Equal(before, await SnapshotAsync(org));
    }

    [Fact]
    public async Task PostsWithoutTheirAntiforgeryToken_AreRefused_AndChangeNothing()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var iso = await ControlsData.ImportAsync(host, org.Slug, "Hausnorm 27001", "2022", ("A.5.1", "Policies"));
        var spare = await ControlsData.ImportAsync(host, org.Slug, "Zweite Norm", "1", ("z-1", "Zwei"));
        await ControlsData.AdoptAsync(host, org.Id, s.Id, org.Owner.Id, iso);
        var control = await ControlsData.CreateControlAsync(host, org.Id, s.Id, org.Owner.Id, "Backup");
        var requirement = (await RequirementIdsAsync(org.Id))["A.5.1"];
        var before = await SnapshotAsync(org);

        foreach (var (action, fields) in Writes(s, iso, control, requirement).Append((s.Path("/frameworks/adopt"), [("framework", spare.ToString())])).Append((s.Path("/frameworks/end"), [("framework", iso.ToString())])))
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
        await org.Owner.Browser.GetAsync(s.Path(""));
        var switched = await org.Owner.Browser.PostAsync("/culture", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = org.Owner.Browser.AnyAntiforgeryToken(),
            ["culture"] = "de",
            ["returnUrl"] = s.Path(""),
        });
        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);

        await org.Owner.Browser.GetAsync(s.Path(""));
        Assert.Contains($"href=\"{s.Frameworks}\">Übernommene Frameworks</a>", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Contains($"href=\"{s.Controls}\">Maßnahmen</a>", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        await org.Owner.Browser.GetAsync(s.Frameworks);
        Assert.Contains("Dieser Space hat noch kein Framework übernommen.", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("Alle Frameworks der Bibliothek der Organisation sind übernommen, oder es wurde noch keines importiert.", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        await org.Owner.Browser.GetAsync(s.Controls);
        Assert.Contains("Dieser Space hat noch keine Maßnahmen. Legen Sie unten die erste an", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("Maßnahme anlegen", org.Owner.Browser.LastPage, StringComparison.Ordinal);
    }

    /// <summary>Every write of a control and of the statement, with fields that would succeed for the owner.</summary>
    private static IEnumerable<(string Action, (string, string)[] Fields)> Writes(SpacePaths s, Guid framework, Guid control, Guid requirement) =>
    [
        (s.Path("/controls/create"), [("title", "Forged")]),
        (s.Path($"/controls/{control:D}/edit"), [("title", "Forged"), ("status", "Implemented")]),
        (s.Path($"/controls/{control:D}/links/add"), [("framework", framework.ToString()), ("requirement", "A.5.1")]),
        (s.Path($"/controls/{control:D}/links/remove"), [("requirement", requirement.ToString())]),
        (s.Path($"/controls/{control:D}/delete"), []),
        (s.Path("/soa"), [("framework", framework.ToString()), ("requirement", requirement.ToString()), ("applicable", "no"), ("justification", "Forged")]),
    ];

    private static Task<HttpResponseMessage> Post(Person person, string page, string action, params (string Name, string Value)[] fields) =>
        person.Browser.PostFromAsync(page, action, fields.ToDictionary(f => f.Name, f => f.Value));

    private static Dictionary<string, string> Fields((string Name, string Value)[] fields, string token)
    {
        var values = fields.ToDictionary(f => f.Name, f => f.Value);
        values["__RequestVerificationToken"] = token;
        return values;
    }

    private sealed record SpacePaths(Guid Id, string Base)
    {
        public string Frameworks => Base + "/frameworks";

        public string Controls => Base + "/controls";

        public string Path(string rest) => Base + rest;

        public string Soa(Guid framework) => $"{Base}/soa/{framework:D}";
    }

    private async Task<SpacePaths> SpaceAsync(OrganizationFixture org, string name = "Scope")
    {
        var id = await Tenants.CreateSpaceAsync(host, org.Owner.Browser, org.Slug, name);
        return new SpacePaths(id, $"/o/{org.Slug}/s/{name.ToLowerInvariant()}");
    }

    private async Task<List<T>> RowsAsync<T>(Guid organizationId)
        where T : class
    {
        var (scope, db) = host.OpenDb(organizationId);
        await using (scope)
        {
            return await db.Set<T>().AsNoTracking().ToListAsync(Ct);
        }
    }

    private async Task<Dictionary<string, Guid>> RequirementIdsAsync(Guid organizationId) =>
        (await RowsAsync<Kastell.Server.Features.Frameworks.Requirement>(organizationId)).ToDictionary(r => r.ControlId, r => r.Id);

    /// <summary>Everything the feature keeps for the organization (rows and tuples), to show a refusal changed nothing.</summary>
    private async Task<string> SnapshotAsync(OrganizationFixture org)
    {
        var adoptions = await RowsAsync<FrameworkAdoption>(org.Id);
        var controls = await RowsAsync<Control>(org.Id);
        var links = await RowsAsync<ControlRequirement>(org.Id);
        var entries = await RowsAsync<ApplicabilityEntry>(org.Id);
        return string.Join('\n',
        [
            .. adoptions.OrderBy(a => a.Id).Select(a => $"{a.Id} {a.FrameworkId} {a.EndedAt}"),
            .. controls.OrderBy(c => c.Id).Select(c => $"{c.Id} {c.Title} {c.Status} {c.Description} {c.UpdatedAt:O}"),
            .. links.OrderBy(l => l.Id).Select(l => $"{l.ControlId} {l.RequirementId}"),
            .. entries.OrderBy(e => e.Id).Select(e => $"{e.RequirementId} {e.Applicable} {e.Justification}"),
            .. await org.TuplesAsync(),
        ]);
    }

    [GeneratedRegex("<table class=\"table reflow\" data-testid=\"adoptions\">.*?</table>", RegexOptions.Singleline)]
    private static partial Regex Adoptions();

    [GeneratedRegex("<tr data-testid=\"control-requirement\">.*?</tr>", RegexOptions.Singleline)]
    private static partial Regex LinkedRows();

    [GeneratedRegex("<tr data-testid=\"control\">.*?</tr>", RegexOptions.Singleline)]
    private static partial Regex ControlRows();

    [GeneratedRegex("<li data-testid=\"soa-line\".*?</li>", RegexOptions.Singleline)]
    private static partial Regex SoaLines();
}

public sealed class ControlsTestsOnSqlite(SqliteHost host) : ControlsTests(host), IClassFixture<SqliteHost>;

public sealed class ControlsTestsOnPostgres(PostgresHost host) : ControlsTests(host), IClassFixture<PostgresHost>;
