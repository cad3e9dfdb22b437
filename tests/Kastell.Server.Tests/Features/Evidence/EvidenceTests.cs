using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Kastell.Server.Features.Assets;
using Kastell.Server.Features.Evidence;
using Kastell.Server.Features.Evidence.Review;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Storage;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.Assets;
using Kastell.Server.Tests.Features.Controls;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.Evidence;

/// <summary>
/// A Space's evidence over HTTP, as people use it: the visibility rule of the model (owners of the linked assets and
/// controls, the submitter, managers and auditors — not every viewer — widened per Space by a setting), the download
/// of evidence one may not read answering 404 like a missing item, four eyes on the review, a refused file leaving
/// nothing behind, and every refusal: anonymous, another organization, a role without the permission, bad input, a
/// post without its token. On each provider, with a real clamd.
/// </summary>
public abstract partial class EvidenceTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Pdf() => [.. "%PDF-1.7\n"u8, .. RandomNumberGenerator.GetBytes(20_000)];

    [Fact]
    public async Task TwoViewersOfOneSpace_SeeTheEvidenceOfTheirOwnAssets_ManagersAndAuditorsSeeAll_AndTheSettingWidensIt()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var mia = await org.JoinAsync(OrganizationRole.Member, (s.Id, SpaceRole.Viewer));
        var omar = await org.JoinAsync(OrganizationRole.Member, (s.Id, SpaceRole.Viewer));
        var pia = await org.JoinAsync(OrganizationRole.Member, (s.Id, SpaceRole.Viewer));
        var audrey = await org.JoinAsync(OrganizationRole.Auditor);
        var tina = await org.JoinAsync(OrganizationRole.Member, (s.Id, SpaceRole.Editor));
        var crm = await AssetsData.CreateAsync(host, org.Id, s.Id, org.Owner.Id, "CRM", owner: Subject.Person(mia.Id).ToString());
        var rack = await AssetsData.CreateAsync(host, org.Id, s.Id, org.Owner.Id, "Rack", AssetKind.Physical, owner: Subject.Person(omar.Id).ToString());
        var control = await ControlsData.CreateControlAsync(host, org.Id, s.Id, org.Owner.Id, "Zugangskontrolle");

        // Tina submits through the form: a link for the CRM, a note for the rack.
        var created = await Post(tina, s.Evidence + "/new", s.Path("/evidence/create"), ("kind", "Link"), ("title", "Pentest CRM"),
            ("url", "https://pentest.example/report/42"), ("observedFrom", "2026-10-01"), ("observedTo", "2026-10-31"), ("assets", crm.ToString()), ("controls", control.ToString()));
        Assert.Matches($"^{Regex.Escape(s.Path("/evidence/"))}[0-9a-f-]{{36}}\\?created=1$", TestBrowser.LocationOf(created) ?? "");
        var crmEvidence = Guid.Parse(Regex.Match(TestBrowser.LocationOf(created)!, "[0-9a-f-]{36}").Value);
        Assert.Equal(HttpStatusCode.Redirect, (await Post(tina, s.Evidence + "/new", s.Path("/evidence/create"), ("kind", "Note"), ("title", "Rackfoto"),
            ("note", "Rack abgeschlossen."), ("effectiveOn", "2026-11-02"), ("assets", rack.ToString()))).StatusCode);
        var tuples = await org.TuplesAsync();
        Assert.Contains($"evidence:{crmEvidence:D}#asset@asset:{crm:D}", tuples);
        Assert.Contains($"evidence:{crmEvidence:D}#control@control:{control:D}", tuples);
        Assert.Contains($"evidence:{crmEvidence:D}#uploader@user:{tina.Id:D}", tuples);

        Assert.Equal(["Pentest CRM"], await TitlesAsync(mia, s));
        Assert.Equal(["Rackfoto"], await TitlesAsync(omar, s));
        Assert.Empty(await TitlesAsync(pia, s));
        Assert.Contains("There is no evidence here you can see.", pia.Browser.LastPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Pentest", pia.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(["Pentest CRM", "Rackfoto"], await TitlesAsync(audrey, s, "?sort=Title"));
        Assert.Equal(["Pentest CRM", "Rackfoto"], await TitlesAsync(org.Owner, s, "?sort=Title"));
        Assert.Equal(["Pentest CRM", "Rackfoto"], await TitlesAsync(tina, s, "?sort=Title"));
        // The item's page obeys the same rule: 404 for who may not read it, as for an item that does not exist.
        Assert.Equal(HttpStatusCode.NotFound, (await omar.Browser.GetAsync(s.Path($"/evidence/{crmEvidence:D}"))).StatusCode);
        Assert.DoesNotContain("Pentest", omar.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await mia.Browser.GetAsync(s.Path($"/evidence/{crmEvidence:D}"))).StatusCode);
        Assert.Contains("https://pentest.example/report/42", mia.Browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("Zugangskontrolle", mia.Browser.LastPage, StringComparison.Ordinal);

        // A viewer may not widen it; the manager does, and every viewer sees all — until it is restricted again.
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(pia, s.Evidence, s.Path("/evidence/visibility"), ("visibleToAll", "true"))).StatusCode);
        var mark = await AuditWatermark.TakeAsync(host);
        Assert.Equal(s.Evidence + "?visibility=1", TestBrowser.LocationOf(await Post(org.Owner, s.Evidence, s.Path("/evidence/visibility"), ("visibleToAll", "true"))));
        Assert.Contains($"space:{s.Id:D}#evidence_audience@space:{s.Id:D}#viewer", await org.TuplesAsync());
        Assert.Equal(["Pentest CRM", "Rackfoto"], await TitlesAsync(pia, s, "?sort=Title"));
        Assert.Equal(["Pentest CRM", "Rackfoto"], await TitlesAsync(omar, s, "?sort=Title"));
        Assert.Equal(HttpStatusCode.OK, (await omar.Browser.GetAsync(s.Path($"/evidence/{crmEvidence:D}"))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Post(org.Owner, s.Evidence, s.Path("/evidence/visibility"), ("visibleToAll", "false"))).StatusCode);
        Assert.Empty(await TitlesAsync(pia, s));
        Assert.Equal(2, (await mark.NewEventsAsync()).Count(e => e.Type == EvidenceEvents.EvidenceVisibilityChanged));

        // Filters and sorting: by kind and state; unknown values are ignored.
        Assert.Equal(["Rackfoto"], await TitlesAsync(org.Owner, s, "?kind=Note"));
        Assert.Equal(["Pentest CRM", "Rackfoto"], await TitlesAsync(org.Owner, s, "?state=Submitted&sort=Title"));
        Assert.Empty(await TitlesAsync(org.Owner, s, "?state=Accepted"));
        Assert.Contains("No evidence matches these filters.", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(["Rackfoto", "Pentest CRM"], await TitlesAsync(org.Owner, s, "?sort=Effective&kind=1&state=%3Cscript%3E&page=-2"));
    }

    [Fact]
    public async Task AFileIsStoredAsAnAttachment_ItsDownloadAnswers404ForWhoMayNotReadIt_AndANewVersionKeepsTheOld()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var mia = await org.JoinAsync(OrganizationRole.Member, (s.Id, SpaceRole.Viewer));
        var pia = await org.JoinAsync(OrganizationRole.Member, (s.Id, SpaceRole.Viewer));
        var tina = await org.JoinAsync(OrganizationRole.Member, (s.Id, SpaceRole.Editor));
        var crm = await AssetsData.CreateAsync(host, org.Id, s.Id, org.Owner.Id, "CRM", owner: Subject.Person(mia.Id).ToString());
        var pdf = Pdf();

        var uploaded = await UploadAsync(tina, s, pdf, "bericht.pdf", ("title", "Backup-Protokoll"), ("effectiveOn", "2026-11-01"), ("assets", crm.ToString()));
        Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
        var id = Guid.Parse(Regex.Match(TestBrowser.LocationOf(uploaded)!, "[0-9a-f-]{36}").Value);
        var stored = Assert.Single(await RowsAsync<StoredObject>(org.Id));
        Assert.True(stored.Attachment);
        Assert.DoesNotContain(await org.TuplesAsync(), t => t.StartsWith($"file:{stored.Id:D}#space", StringComparison.Ordinal));
        Assert.Equal(0, (await org.DriftAsync()).Code);

        var download = s.Path($"/evidence/{id:D}/file");
        var mark = await AuditWatermark.TakeAsync(host);
        var got = await mia.Browser.GetAsync(download);
        Assert.Equal(HttpStatusCode.OK, got.StatusCode);
        Assert.Equal(pdf, await got.Content.ReadAsByteArrayAsync(Ct));
        Assert.Single(await mark.NewEventsAsync(), e => e.Type == EvidenceEvents.EvidenceDownloaded);
        // Pia reads the Space but not this evidence; another organization's owner not even the Space: the same 404.
        await using var other = await OrganizationFixture.CreateAsync(host);
        foreach (var (person, path) in new[] { (pia, download), (pia, download + "?version=1"), (pia, s.Path($"/evidence/{id:D}")), (other.Owner, download),
                     (org.Owner, s.Path($"/evidence/{Guid.NewGuid():D}/file")), (org.Owner, download + "?version=7"), (org.Owner, download + "?version=x") })
        {
            var refused = await person.Browser.GetAsync(path);
            Assert.True(refused.StatusCode == HttpStatusCode.NotFound, $"{person.User.Email} GET {path}: {(int)refused.StatusCode}");
        }

        // Not a file of the Space: not listed on the files page, and its file address answers 404 even to the owner.
        await org.Owner.Browser.GetAsync(s.Path("/files"));
        Assert.DoesNotContain("bericht.pdf", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await org.Owner.Browser.GetAsync(s.Path($"/files/{stored.Id:D}"))).StatusCode);

        // A second version: both kept, the newest downloaded by default, the older by number.
        var second = Pdf();
        await tina.Browser.GetAsync(s.Path($"/evidence/{id:D}"));
        var versioned = await PostFileAsync(tina.Browser, s.Path($"/evidence/{id:D}/versions"), tina.Browser.AnyAntiforgeryToken(), second, "bericht-v2.pdf");
        Assert.Equal(HttpStatusCode.Redirect, versioned.StatusCode);
        Assert.Equal(2, (await RowsAsync<EvidenceVersion>(org.Id)).Count);
        Assert.Equal(second, await (await mia.Browser.GetAsync(download)).Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(pdf, await (await mia.Browser.GetAsync(download + "?version=1")).Content.ReadAsByteArrayAsync(Ct));
        // Only the uploader and the Space's managers add versions.
        await mia.Browser.GetAsync(s.Path($"/evidence/{id:D}"));
        Assert.Equal(HttpStatusCode.Forbidden, (await PostFileAsync(mia.Browser, s.Path($"/evidence/{id:D}/versions"), mia.Browser.AnyAntiforgeryToken(), Pdf(), "x.pdf")).StatusCode);
        Assert.Equal(2, (await RowsAsync<EvidenceVersion>(org.Id)).Count);
    }

    [Fact]
    public async Task ARefusedFile_LeavesNoRecord_NoStoredObject_AndNoTuple()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var before = await SnapshotAsync(org);
        var mark = await AuditWatermark.TakeAsync(host);

        foreach (var (content, name) in new (byte[] Content, string Name)[] { (Clamd.Eicar, "eicar.pdf"), ([], "leer.pdf"), ([0, 1, 2, .. RandomNumberGenerator.GetBytes(500)], "binaer.pdf") })
        {
            var refused = await UploadAsync(org.Owner, s, content, name, ("title", "Nachweis"), ("effectiveOn", "2026-11-01"));
            Assert.True(refused.StatusCode == HttpStatusCode.UnprocessableEntity, $"{name}: {(int)refused.StatusCode}");
            Assert.Contains("The file was not accepted", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        }

        Assert.Equal(before, await SnapshotAsync(org));
        Assert.Empty(await RowsAsync<StoredObject>(org.Id));
        Assert.Equal(0, await host.Storage.CountObjectsAsync(StorageContainers.OfSpace(s.Id), Ct));
        Assert.DoesNotContain((await mark.NewEventsAsync()).Select(e => e.Type), t => t == EvidenceEvents.EvidenceSubmitted);
        // Bad metadata is refused before the file is even read: nothing stored either.
        Assert.Equal(HttpStatusCode.BadRequest, (await UploadAsync(org.Owner, s, Pdf(), "ok.pdf", ("title", ""), ("effectiveOn", "2026-11-01"))).StatusCode);
        Assert.Equal(0, await host.Storage.CountObjectsAsync(StorageContainers.OfSpace(s.Id), Ct));
        Assert.Empty(await RowsAsync<StoredObject>(org.Id));
    }

    [Fact]
    public async Task FourEyes_WhoSubmittedDoesNotReview_RefusedInTheCommand_AndAnotherManagerAccepts()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var admin = await org.JoinAsync(OrganizationRole.Admin);
        var tina = await org.JoinAsync(OrganizationRole.Member, (s.Id, SpaceRole.Editor));
        var mine = await EvidenceData.NoteAsync(host, org.Id, s.Id, org.Owner.Id, "Eigener Nachweis");
        var page = s.Path($"/evidence/{mine:D}");

        // The command itself refuses the submitter, whatever a page shows.
        var own = await org.AsAsync<ReviewEvidenceCommand, Result>(org.Owner.Id, c => c.ExecuteAsync(mine, ReviewEvidenceCommand.Accept, "passt", cancellationToken: Ct), s.Id);
        Assert.Equal(EvidenceErrors.OwnReview, own.Failure);
        await org.Owner.Browser.GetAsync(page);
        Assert.DoesNotContain("data-testid=\"review-evidence\"", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("You submitted this evidence, so someone else has to review it", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(org.Owner, page, page + "/review", ("decision", "accept"))).StatusCode);
        // An editor does not review either.
        Assert.Equal(HttpStatusCode.NotFound, (await Post(tina, s.Evidence, page + "/review", ("decision", "accept"))).StatusCode);
        Assert.Equal(EvidenceState.Submitted, (await RowsAsync<EvidenceItem>(org.Id)).Single().State);

        // A rejection needs a comment; an unknown decision is refused; then the second manager accepts.
        Assert.Equal(HttpStatusCode.Conflict, (await Post(admin, page, page + "/review", ("decision", "reject"), ("comment", " "))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Post(admin, page, page + "/review", ("decision", "approve"))).StatusCode);
        var mark = await AuditWatermark.TakeAsync(host);
        Assert.Equal(page + "?reviewed=1", TestBrowser.LocationOf(await Post(admin, page, page + "/review", ("decision", "accept"), ("comment", "Vollständig."))));
        var item = (await RowsAsync<EvidenceItem>(org.Id)).Single();
        Assert.Equal((EvidenceState.Accepted, admin.Id, "Vollständig."), (item.State, item.ReviewedBy!.Value, item.ReviewComment));
        Assert.Single(await mark.NewEventsAsync(), e => e.Type == EvidenceEvents.EvidenceAccepted);
        // Reviewed once: not again.
        Assert.Equal(HttpStatusCode.Conflict, (await Post(admin, page, page + "/review", ("decision", "reject"), ("comment", "Doch nicht."))).StatusCode);
        await admin.Browser.GetAsync(page);
        Assert.Contains("<dd data-testid=\"evidence-state\">Accepted</dd>", admin.Browser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Anonymous_IsSentToSignIn_AndAnotherOrganizationFindsNothing()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var item = await EvidenceData.NoteAsync(host, org.Id, s.Id, org.Owner.Id, "Geheimer Nachweis");
        using var anonymous = host.CreateBrowser();
        await anonymous.GetAsync("/account/sign-in");
        var token = anonymous.AnyAntiforgeryToken();
        await using var bob = await OrganizationFixture.CreateAsync(host);
        var b = await SpaceAsync(bob);
        var before = await SnapshotAsync(org);

        var pages = new[] { s.Evidence, s.Evidence + "/new", s.Path($"/evidence/{item:D}"), s.Path($"/evidence/{item:D}/file") };
        foreach (var page in pages)
        {
            var response = await anonymous.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(response), StringComparison.Ordinal);
            Assert.True((await bob.Owner.Browser.GetAsync(page)).StatusCode == HttpStatusCode.NotFound, $"bob GET {page}");
            Assert.DoesNotContain("Geheim", bob.Owner.Browser.LastPage, StringComparison.Ordinal);
        }

        // Alice's item through Bob's own Space: no such item there.
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Owner.Browser.GetAsync(b.Path($"/evidence/{item:D}"))).StatusCode);
        foreach (var (action, fields) in Writes(s, item))
        {
            var values = fields.ToDictionary(f => f.Item1, f => f.Item2);
            values["__RequestVerificationToken"] = token;
            var response = await anonymous.PostAsync(action, values);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"POST {action}: {(int)response.StatusCode}");
            Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(response), StringComparison.Ordinal);
            Assert.True((await Post(bob.Owner, b.Evidence, action, fields)).StatusCode == HttpStatusCode.NotFound, $"bob POST {action}");
        }

        foreach (var (action, fields) in Writes(b, item).Where(w => w.Action.Contains("/review", StringComparison.Ordinal)))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await Post(bob.Owner, b.Evidence, action, fields)).StatusCode);
        }

        Assert.Equal(before, await SnapshotAsync(org));
    }

    [Fact]
    public async Task AViewer_NeitherAddsNorReviewsNorConfigures_AndPostsWithoutTokenAreRefused()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var pia = await org.JoinAsync(OrganizationRole.Member, (s.Id, SpaceRole.Viewer));
        var tina = await org.JoinAsync(OrganizationRole.Member, (s.Id, SpaceRole.Editor));
        // Submitted by someone else than the owner, whose token-less posts below must reach the antiforgery refusal.
        var item = await EvidenceData.NoteAsync(host, org.Id, s.Id, tina.Id, "Nachweis");
        var before = await SnapshotAsync(org);

        Assert.Equal(HttpStatusCode.Forbidden, (await pia.Browser.GetAsync(s.Evidence + "/new")).StatusCode);
        await pia.Browser.GetAsync(s.Evidence);
        Assert.DoesNotContain("data-testid=\"new-evidence\"", pia.Browser.LastPage, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"evidence-visibility\"", pia.Browser.LastPage, StringComparison.Ordinal);
        foreach (var (action, fields) in Writes(s, item))
        {
            var refused = await Post(pia, s.Evidence, action, fields);
            // She may not read the item itself: its review answers 404, the Space's actions 403.
            var expected = action.Contains("/review", StringComparison.Ordinal) ? HttpStatusCode.NotFound : HttpStatusCode.Forbidden;
            Assert.True(refused.StatusCode == expected, $"POST {action}: {(int)refused.StatusCode}");
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await UploadAsync(pia, s, Pdf(), "x.pdf", ("title", "X"), ("effectiveOn", "2026-11-01"))).StatusCode);
        foreach (var (action, fields) in Writes(s, item))
        {
            var refused = await org.Owner.Browser.PostWithoutTokenAsync(action, fields.ToDictionary(f => f.Item1, f => f.Item2));
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"POST {action}: {(int)refused.StatusCode}");
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await UploadAsync(org.Owner, s, Pdf(), "x.pdf", withToken: false)).StatusCode);
        Assert.Equal(before, await SnapshotAsync(org));
        Assert.Empty(await RowsAsync<StoredObject>(org.Id));
    }

    [Fact]
    public async Task BadInput_IsRefusedWithAMessage_AndChangesNothing()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var lab = await SpaceAsync(org, "Labor");
        var labAsset = await AssetsData.CreateAsync(host, org.Id, lab.Id, org.Owner.Id, "Laborgerät");
        var item = await EvidenceData.NoteAsync(host, org.Id, s.Id, org.Owner.Id, "Nachweis");
        var before = await SnapshotAsync(org);
        var create = s.Path("/evidence/create");
        (string, string)[] Link(string url) => [("kind", "Link"), ("title", "L"), ("url", url), ("effectiveOn", "2026-11-01")];

        var cases = new (string Action, (string, string)[] Fields, HttpStatusCode Status, string Message)[]
        {
            (create, [("kind", "Note"), ("title", " "), ("note", "x"), ("effectiveOn", "2026-11-01")], HttpStatusCode.BadRequest, "Evidence needs a title of at most 200 characters"),
            (create, [("kind", "Note"), ("title", new string('x', 201)), ("note", "x"), ("effectiveOn", "2026-11-01")], HttpStatusCode.BadRequest, "Evidence needs a title"),
            (create, [("kind", "Note"), ("title", "Bell\u0007"), ("note", "x"), ("effectiveOn", "2026-11-01")], HttpStatusCode.BadRequest, "Evidence needs a title"),
            (create, [("kind", "Note"), ("title", "N"), ("note", ""), ("effectiveOn", "2026-11-01")], HttpStatusCode.BadRequest, "a note needs its text"),
            (create, [("kind", "Video"), ("title", "N"), ("note", "x"), ("effectiveOn", "2026-11-01")], HttpStatusCode.BadRequest, "Choose a file, a link or a note"),
            (create, [("kind", "1"), ("title", "N"), ("effectiveOn", "2026-11-01"), ("url", "https://a.example")], HttpStatusCode.BadRequest, "Choose a file, a link or a note"),
            (create, [("kind", "File"), ("title", "N"), ("effectiveOn", "2026-11-01")], HttpStatusCode.BadRequest, "Choose a file, a link or a note"),
            (create, Link("http://intranet.example/report"), HttpStatusCode.BadRequest, "A link needs a full https address"),
            (create, Link("javascript:alert(1)"), HttpStatusCode.BadRequest, "A link needs a full https address"),
            (create, Link("https://user:secret@example.com/"), HttpStatusCode.BadRequest, "A link needs a full https address"),
            (create, Link("/relative/path"), HttpStatusCode.BadRequest, "A link needs a full https address"),
            (create, Link("https://example.com/" + new string('a', 2000)), HttpStatusCode.BadRequest, "A link needs a full https address"),
            (create, [("kind", "Note"), ("title", "N"), ("note", "x")], HttpStatusCode.BadRequest, "Give either an effective date or a whole observation period"),
            (create, [("kind", "Note"), ("title", "N"), ("note", "x"), ("effectiveOn", "2026-11-01"), ("observedFrom", "2026-10-01"), ("observedTo", "2026-10-31")], HttpStatusCode.BadRequest, "Give either an effective date"),
            (create, [("kind", "Note"), ("title", "N"), ("note", "x"), ("observedFrom", "2026-10-31"), ("observedTo", "2026-10-01")], HttpStatusCode.BadRequest, "Give either an effective date"),
            (create, [("kind", "Note"), ("title", "N"), ("note", "x"), ("observedFrom", "2026-10-01")], HttpStatusCode.BadRequest, "Give either an effective date"),
            (create, [("kind", "Note"), ("title", "N"), ("note", "x"), ("effectiveOn", "01.11.2026")], HttpStatusCode.BadRequest, "Give either an effective date"),
            (create, [("kind", "Note"), ("title", "N"), ("note", "x"), ("effectiveOn", "2026-11-01"), ("validUntil", "2026-10-01")], HttpStatusCode.BadRequest, "Give either an effective date"),
            (create, [("kind", "Note"), ("title", "N"), ("note", "x"), ("effectiveOn", "2026-11-01"), ("assets", labAsset.ToString())], HttpStatusCode.BadRequest, "Choose controls and assets of this space."),
            (create, [("kind", "Note"), ("title", "N"), ("note", "x"), ("effectiveOn", "2026-11-01"), ("controls", Guid.NewGuid().ToString())], HttpStatusCode.BadRequest, "Choose controls and assets of this space."),
            (create, [("kind", "Note"), ("title", "N"), ("note", "x"), ("effectiveOn", "2026-11-01"), ("assets", "nonsense")], HttpStatusCode.BadRequest, "Choose controls and assets of this space."),
            (s.Path("/evidence/visibility"), [("visibleToAll", "yes")], HttpStatusCode.BadRequest, "Choose whether all members see the evidence."),
        };
        foreach (var (action, fields, status, message) in cases)
        {
            var refused = await Post(org.Owner, s.Evidence + "/new", action, fields);
            Assert.True(refused.StatusCode == status, $"POST {action} {string.Join(',', fields)}: {(int)refused.StatusCode}");
            Assert.Contains(message, org.Owner.Browser.LastPage, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await Post(org.Owner, s.Evidence, s.Path($"/evidence/{Guid.NewGuid():D}/review"), ("decision", "accept"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await org.Owner.Browser.GetAsync(s.Path($"/evidence/{Guid.NewGuid():D}"))).StatusCode);
        // A file only through the upload form; a new version only of a file item.
        await org.Owner.Browser.GetAsync(s.Path($"/evidence/{item:D}"));
        Assert.Equal(HttpStatusCode.BadRequest, (await PostFileAsync(org.Owner.Browser, s.Path($"/evidence/{item:D}/versions"), org.Owner.Browser.AnyAntiforgeryToken(), Pdf(), "x.pdf")).StatusCode);
        Assert.Equal(before, await SnapshotAsync(org));
        Assert.Empty(await RowsAsync<StoredObject>(org.Id));
    }

    [Fact]
    public async Task ThePages_SpeakGerman_AndTheSpaceLinksToThem()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var item = await EvidenceData.NoteAsync(host, org.Id, s.Id, org.Owner.Id, "Protokoll");
        await org.Owner.Browser.GetAsync(s.Path(""));
        Assert.Equal(HttpStatusCode.Redirect, (await org.Owner.Browser.PostAsync("/culture", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = org.Owner.Browser.AnyAntiforgeryToken(),
            ["culture"] = "de",
            ["returnUrl"] = s.Path(""),
        })).StatusCode);

        await org.Owner.Browser.GetAsync(s.Path(""));
        Assert.Contains($"href=\"{s.Evidence}\">Nachweise</a>", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        await org.Owner.Browser.GetAsync(s.Evidence);
        Assert.Contains("nicht jedes Mitglied des Bereichs", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("Nachweise allen Mitgliedern zeigen", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        await org.Owner.Browser.GetAsync(s.Evidence + "/new?kind=File");
        Assert.Contains("Stichtag oder Beobachtungszeitraum", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("enctype=\"multipart/form-data\"", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        await org.Owner.Browser.GetAsync(s.Path($"/evidence/{item:D}"));
        Assert.Contains("Vier-Augen-Prinzip", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("30.11.2026", org.Owner.Browser.LastPage, StringComparison.Ordinal);
    }

    /// <summary>Every form post of the feature, with fields that would succeed for the owner.</summary>
    private static IEnumerable<(string Action, (string, string)[] Fields)> Writes(SpacePaths s, Guid item) =>
    [
        (s.Path("/evidence/create"), [("kind", "Note"), ("title", "Forged"), ("note", "x"), ("effectiveOn", "2026-11-01")]),
        (s.Path($"/evidence/{item:D}/review"), [("decision", "reject"), ("comment", "Forged")]),
        (s.Path("/evidence/visibility"), [("visibleToAll", "true")]),
    ];

    /// <summary>Posts a form as the browser does after loading <paramref name="page"/> (the layout's forms carry a token on every page); fields may repeat.</summary>
    private static async Task<HttpResponseMessage> Post(Person person, string page, string action, params (string Name, string Value)[] fields)
    {
        await person.Browser.GetAsync(page);
        using var content = new FormUrlEncodedContent([new("__RequestVerificationToken", person.Browser.AnyAntiforgeryToken()),
            .. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))]);
        return await person.Browser.PostContentAsync(action, content);
    }

    private static async Task<HttpResponseMessage> UploadAsync(Person person, SpacePaths s, byte[] content, string fileName, params (string Name, string Value)[] fields) =>
        await UploadAsync(person, s, content, fileName, withToken: true, fields);

    /// <summary>The file form as a browser sends it: token first, then the fields, the file last.</summary>
    private static async Task<HttpResponseMessage> UploadAsync(Person person, SpacePaths s, byte[] content, string fileName, bool withToken, params (string Name, string Value)[] fields)
    {
        await person.Browser.GetAsync(s.Evidence);
        var token = person.Browser.AnyAntiforgeryToken();
        using var form = new MultipartFormDataContent();
        if (withToken)
        {
            form.Add(new StringContent(token), "__RequestVerificationToken");
        }

        form.Add(new StringContent("File"), "kind");
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "File", fileName);
        return await person.Browser.PostContentAsync(s.Path("/evidence/upload"), form);
    }

    private static async Task<HttpResponseMessage> PostFileAsync(TestBrowser browser, string action, string token, byte[] content, string fileName)
    {
        using var form = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" } };
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "File", fileName);
        return await browser.Client.PostAsync(action, form, Ct);
    }

    private static async Task<List<string>> TitlesAsync(Person person, SpacePaths s, string query = "")
    {
        Assert.Equal(HttpStatusCode.OK, (await person.Browser.GetAsync(s.Evidence + query)).StatusCode);
        return [.. Regex.Matches(person.Browser.LastPage!, "<tr data-testid=\"evidence-item\">\\s*<td[^>]*><a href=\"[^\"]*\">(.*?)</a>").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];
    }

    private sealed record SpacePaths(Guid Id, string Base)
    {
        public string Evidence => Base + "/evidence";

        public string Path(string rest) => Base + rest;
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

    /// <summary>Everything the feature keeps for the organization (rows and tuples), to show a refusal changed nothing.</summary>
    private async Task<string> SnapshotAsync(OrganizationFixture org)
    {
        var items = await RowsAsync<EvidenceItem>(org.Id);
        var versions = await RowsAsync<EvidenceVersion>(org.Id);
        return string.Join('\n',
        [
            .. items.OrderBy(e => e.Id).Select(e => $"{e.Id} {e.Title} {e.Kind} {e.State} {e.Url} {e.Note} {e.ReviewComment} {e.UpdatedAt:O}"),
            .. versions.OrderBy(v => v.Id).Select(v => $"{v.EvidenceId} {v.Number} {v.StoredObjectId}"),
            .. await org.TuplesAsync(),
        ]);
    }
}

/// <summary>SQLite, files on disk, a real clamd.</summary>
public sealed class EvidenceSqliteHost(SmtpSink mail) : SqliteHost(mail)
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Kastell:Storage:Clamd", Clamd.Endpoint)];
}

/// <summary>PostgreSQL, files on disk, a real clamd.</summary>
public sealed class EvidencePostgresHost(PostgresCluster cluster, SmtpSink mail) : PostgresHost(cluster, mail)
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Kastell:Storage:Clamd", Clamd.Endpoint)];
}

public sealed class EvidenceTestsOnSqlite(EvidenceSqliteHost host) : EvidenceTests(host), IClassFixture<EvidenceSqliteHost>;

public sealed class EvidenceTestsOnPostgres(EvidencePostgresHost host) : EvidenceTests(host), IClassFixture<EvidencePostgresHost>;
