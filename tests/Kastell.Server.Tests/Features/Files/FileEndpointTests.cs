using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Kastell.Server.Features.Files;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Storage;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.Files;

/// <summary>
/// The Files page and its endpoints over HTTP, with a real clamd: upload (streamed multipart, token first), listing,
/// ranged download of the decrypted file, delete — and every refusal: anonymous, another tenant's id, a viewer's
/// upload or delete, a forged or tokenless post, bad files and names. On SQLite with the file-system backend and
/// on PostgreSQL with S3, so a download is also streamed from S3 through the async read path.
/// </summary>
public abstract partial class FileEndpointTests(KastellHost host)
{
    public const long MaxBytes = 1024 * 1024;
    private const string SpaceSlug = "ablage";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UploadedFile_IsListed_AndDownloadsDecrypted_WithSafeHeaders_AndAudited()
    {
        var alice = await OwnerWithSpaceAsync();
        byte[] pdf = [.. "%PDF-1.7\n"u8, .. RandomNumberGenerator.GetBytes(200_000)];

        var uploaded = await UploadAsync(alice.Browser, alice.Files, "Prüfbericht \"Q3\".pdf", pdf);

        Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
        Assert.Equal(alice.Files + "?upload=accepted", TestBrowser.LocationOf(uploaded));
        Assert.Equal(HttpStatusCode.OK, (await alice.Browser.GetAsync(alice.Files)).StatusCode);
        var row = Assert.Single(FileRows().Matches(alice.Browser.LastPage!)).Value;
        Assert.Contains("Prüfbericht _Q3_.pdf", row, StringComparison.Ordinal);
        Assert.Contains("195.3 KiB", row, StringComparison.Ordinal);
        Assert.Contains(ContentSniffer.Pdf, row, StringComparison.Ordinal);
        Assert.Contains("Clean", row, StringComparison.Ordinal);
        Assert.DoesNotContain("former member", row, StringComparison.Ordinal);
        var id = FileId(alice.Browser.LastPage!);

        var download = await alice.Browser.Client.GetAsync($"{alice.Files}/{id}", Ct);

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(pdf, await download.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(ContentSniffer.Pdf, download.Content.Headers.ContentType!.ToString());
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("bytes", download.Headers.AcceptRanges.Single());
        var disposition = download.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Equal("Pr_fbericht _Q3_.pdf", disposition.FileName!.Trim('"'));
        Assert.Equal("Prüfbericht _Q3_.pdf", disposition.FileNameStar);
        Assert.Contains("filename*=UTF-8''Pr%C3%BCfbericht%20_Q3_.pdf", download.Content.Headers.GetValues("Content-Disposition").Single(), StringComparison.Ordinal);

        var events = await AuditAsync(alice.OrganizationId);
        var upload = Assert.Single(events, e => e.Type == UploadEvents.FileUploaded);
        Assert.Equal(id.ToString(), upload.TargetId);
        Assert.Contains(ContentSniffer.Pdf, upload.Details, StringComparison.Ordinal);
        Assert.Equal(id.ToString(), Assert.Single(events, e => e.Type == FileEvents.FileDownloaded).TargetId);
        Assert.All(events.Where(e => e.Type == UploadEvents.FileUploaded || e.Type == FileEvents.FileDownloaded),
            e => Assert.DoesNotContain("Prüfbericht", e.Details ?? "", StringComparison.Ordinal)); // names are encrypted at rest, not copied into the log
    }

    [Fact]
    public async Task RangeRequests_AnswerPartialContent_AcrossChunks_AndRefuseUnsatisfiableRanges()
    {
        var alice = await OwnerWithSpaceAsync();
        var text = RandomText(300_000);
        await UploadAsync(alice.Browser, alice.Files, "log.txt", text);
        await alice.Browser.GetAsync(alice.Files);
        var url = $"{alice.Files}/{FileId(alice.Browser.LastPage!)}";

        // Crosses the boundary between the first and second 64 KiB chunk.
        var middle = await GetRangeAsync(alice.Browser, url, "bytes=65000-140000");
        Assert.Equal(HttpStatusCode.PartialContent, middle.StatusCode);
        Assert.Equal(text[65000..140001], await middle.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal($"bytes 65000-140000/{text.Length}", middle.Content.Headers.ContentRange!.ToString());

        var tail = await GetRangeAsync(alice.Browser, url, "bytes=-100");
        Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
        Assert.Equal(text[^100..], await tail.Content.ReadAsByteArrayAsync(Ct));

        var beyond = await GetRangeAsync(alice.Browser, url, $"bytes={text.Length}-");
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond.StatusCode);
        Assert.Equal($"bytes */{text.Length}", beyond.Content.Headers.ContentRange!.ToString());
        Assert.Empty(await beyond.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task Anonymous_CannotList_Download_Upload_OrDelete()
    {
        var alice = await OwnerWithSpaceAsync();
        await UploadAsync(alice.Browser, alice.Files, "bericht.txt", "vertraulich"u8.ToArray());
        await alice.Browser.GetAsync(alice.Files);
        var id = FileId(alice.Browser.LastPage!);
        using var anonymous = host.CreateBrowser();

        var list = await anonymous.GetAsync(alice.Files);
        var download = await anonymous.Client.GetAsync($"{alice.Files}/{id}", Ct);
        var upload = await UploadAsync(anonymous, alice.Files, "x.txt", "hallo"u8.ToArray(), token: "none", loadPage: false);
        var delete = await anonymous.PostAsync($"{alice.Files}/{id}/delete", new Dictionary<string, string>());

        foreach (var response in new[] { list, download, upload, delete })
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(response), StringComparison.Ordinal);
        }

        Assert.DoesNotContain("vertraulich", await download.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Single(await StoredAsync(alice.OrganizationId));
    }

    [Fact]
    public async Task AnotherTenantsFileId_AnswersExactlyLikeAMissingOne()
    {
        var alice = await OwnerWithSpaceAsync();
        await UploadAsync(alice.Browser, alice.Files, "bericht.txt", "Alices Geheimnis"u8.ToArray());
        await alice.Browser.GetAsync(alice.Files);
        var aliceFile = FileId(alice.Browser.LastPage!);
        var bob = await OwnerWithSpaceAsync();

        var foreignOrg = await bob.Browser.Client.GetAsync($"{alice.Files}/{aliceFile}", Ct);
        var foreign = await bob.Browser.Client.GetAsync($"{bob.Files}/{aliceFile}", Ct);
        var missing = await bob.Browser.Client.GetAsync($"{bob.Files}/{Guid.CreateVersion7()}", Ct);
        await bob.Browser.GetAsync(bob.Files);
        var foreignDelete = await bob.Browser.PostAsync($"{bob.Files}/{aliceFile}/delete", new Dictionary<string, string> { ["__RequestVerificationToken"] = bob.Browser.AnyAntiforgeryToken() });

        Assert.Equal(HttpStatusCode.NotFound, foreignOrg.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(TestBrowser.WithoutTokens(await missing.Content.ReadAsStringAsync(Ct)), TestBrowser.WithoutTokens(await foreign.Content.ReadAsStringAsync(Ct)));
        Assert.DoesNotContain("Geheimnis", await foreign.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, foreignDelete.StatusCode);
        Assert.Single(await StoredAsync(alice.OrganizationId)); // still there
        Assert.Contains(await AuditAsync(bob.OrganizationId), e => e.Type == AuthorizationEvents.AuthorizationDenied && e.Details!.Contains("\"permission\":\"can_delete\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFileOfAnotherSpace_OfTheSameOrganization_IsNotFoundThroughThisSpace()
    {
        var alice = await OwnerWithSpaceAsync();
        Assert.Equal(HttpStatusCode.Redirect, (await TenancyTests.CreateSpaceAsync(alice.Browser, alice.OrganizationSlug, "Zweiter")).StatusCode);
        await UploadAsync(alice.Browser, alice.Files, "bericht.txt", "nur hier"u8.ToArray());
        await alice.Browser.GetAsync(alice.Files);
        var id = FileId(alice.Browser.LastPage!);

        var elsewhere = await alice.Browser.Client.GetAsync($"/o/{alice.OrganizationSlug}/s/zweiter/files/{id}", Ct);

        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
    }

    [Fact]
    public async Task Viewer_ListsAndDownloads_ButCannotUploadOrDelete_AndTheRefusalsAreAudited()
    {
        var alice = await OwnerWithSpaceAsync();
        await UploadAsync(alice.Browser, alice.Files, "bericht.txt", "Inhalt"u8.ToArray());
        await alice.Browser.GetAsync(alice.Files);
        var id = FileId(alice.Browser.LastPage!);
        using var viewer = await JoinAsync(alice, OrganizationRole.Member, SpaceRole.Viewer);

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync(alice.Files)).StatusCode);
        Assert.Contains("bericht.txt", viewer.LastPage, StringComparison.Ordinal);
        Assert.DoesNotContain("upload-form", viewer.LastPage, StringComparison.Ordinal);
        Assert.DoesNotContain("/delete", viewer.LastPage, StringComparison.Ordinal);
        var download = await viewer.Client.GetAsync($"{alice.Files}/{id}", Ct);
        Assert.Equal("Inhalt", await download.Content.ReadAsStringAsync(Ct));

        var upload = await UploadAsync(viewer, alice.Files, "neu.txt", "neu"u8.ToArray());
        await viewer.GetAsync(alice.Files);
        var delete = await viewer.PostAsync($"{alice.Files}/{id}/delete", new Dictionary<string, string> { ["__RequestVerificationToken"] = viewer.AnyAntiforgeryToken() });

        Assert.Equal(HttpStatusCode.Forbidden, upload.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.Single(await StoredAsync(alice.OrganizationId));
        var denials = (await AuditAsync(alice.OrganizationId)).Where(e => e.Type == AuthorizationEvents.AuthorizationDenied).Select(e => e.Details!).ToList();
        Assert.Contains(denials, d => d.Contains("\"permission\":\"can_upload\"", StringComparison.Ordinal));
        Assert.Contains(denials, d => d.Contains("\"permission\":\"can_delete\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OrganizationAuditor_ReadsEverySpacesFiles_ButCannotChangeThem()
    {
        var alice = await OwnerWithSpaceAsync();
        await UploadAsync(alice.Browser, alice.Files, "bericht.txt", "Prüfgegenstand"u8.ToArray());
        await alice.Browser.GetAsync(alice.Files);
        var id = FileId(alice.Browser.LastPage!);
        using var auditor = await JoinAsync(alice, OrganizationRole.Auditor, spaceRole: null);
        using var member = await JoinAsync(alice, OrganizationRole.Member, spaceRole: null);

        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync(alice.Files)).StatusCode);
        Assert.Equal("Prüfgegenstand", await (await auditor.Client.GetAsync($"{alice.Files}/{id}", Ct)).Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.Forbidden, (await UploadAsync(auditor, alice.Files, "neu.txt", "neu"u8.ToArray())).StatusCode);
        // A member without a role in the Space does not even learn that it exists.
        Assert.Equal(HttpStatusCode.NotFound, (await member.GetAsync(alice.Files)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await member.Client.GetAsync($"{alice.Files}/{id}", Ct)).StatusCode);
    }

    [Fact]
    public async Task Editor_UploadsAndDeletes_AndTheDeletionIsAudited_AndRemovesTheCiphertext()
    {
        var alice = await OwnerWithSpaceAsync();
        using var editor = await JoinAsync(alice, OrganizationRole.Member, SpaceRole.Editor);

        var uploaded = await UploadAsync(editor, alice.Files, "entwurf.txt", "Entwurf"u8.ToArray());
        Assert.Equal(alice.Files + "?upload=accepted", TestBrowser.LocationOf(uploaded));
        await editor.GetAsync(alice.Files);
        var id = FileId(editor.LastPage!);
        Assert.Equal(1, await host.Storage.CountObjectsAsync(StorageContainers.OfSpace(alice.SpaceId), Ct));

        Assert.Contains($"action=\"{alice.Files}/{id}/delete\"", editor.LastPage, StringComparison.Ordinal);
        var deleted = await editor.PostAsync($"{alice.Files}/{id}/delete", new Dictionary<string, string> { ["__RequestVerificationToken"] = editor.AnyAntiforgeryToken() });

        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        Assert.Equal(alice.Files + "?deleted=1", TestBrowser.LocationOf(deleted));
        Assert.Empty(await StoredAsync(alice.OrganizationId));
        Assert.Equal(0, await host.Storage.CountObjectsAsync(StorageContainers.OfSpace(alice.SpaceId), Ct));
        Assert.Equal(HttpStatusCode.NotFound, (await editor.Client.GetAsync($"{alice.Files}/{id}", Ct)).StatusCode);
        Assert.Equal(id.ToString(), Assert.Single(await AuditAsync(alice.OrganizationId), e => e.Type == FileEvents.FileDeleted).TargetId);
    }

    [Fact]
    public async Task Eicar_IsRefused_Audited_AndNeverListed()
    {
        var alice = await OwnerWithSpaceAsync();

        var uploaded = await UploadAsync(alice.Browser, alice.Files, "rechnung.pdf", Clamd.Eicar);

        Assert.Equal(alice.Files + "?upload=infected", TestBrowser.LocationOf(uploaded));
        await alice.Browser.GetAsync(TestBrowser.LocationOf(uploaded)!);
        Assert.Contains("malware", alice.Browser.LastPage, StringComparison.Ordinal);
        Assert.DoesNotContain("rechnung.pdf", alice.Browser.LastPage, StringComparison.Ordinal);
        Assert.Empty(await StoredAsync(alice.OrganizationId));
        var found = Assert.Single(await AuditAsync(alice.OrganizationId), e => e.Type == UploadEvents.FileMalwareFound);
        Assert.Equal(AuditOutcome.Denied, found.Outcome);
        Assert.Contains(Clamd.SignatureName, found.Details, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("empty", "empty")]
    [InlineData("too-large", "too-large")]
    [InlineData("unsupported-type", "unsupported-type")]
    public async Task BadFiles_AreRefused_AuditedWithTheReason_AndNothingIsKept(string kind, string reason)
    {
        var alice = await OwnerWithSpaceAsync();
        byte[] content = kind switch
        {
            "empty" => [],
            "too-large" => RandomText((int)MaxBytes + 1),
            _ => [0x7F, .. "ELF"u8, 2, 1, 1, 0, 0, 0],
        };

        var uploaded = await UploadAsync(alice.Browser, alice.Files, "datei.txt", content);

        Assert.Equal($"{alice.Files}?upload={kind}", TestBrowser.LocationOf(uploaded));
        Assert.Empty(await StoredAsync(alice.OrganizationId));
        Assert.Equal(0, await host.Storage.CountObjectsAsync(StorageContainers.OfSpace(alice.SpaceId), Ct));
        var refused = Assert.Single(await AuditAsync(alice.OrganizationId), e => e.Type == UploadEvents.FileUploadRefused);
        Assert.Equal(AuditOutcome.Denied, refused.Outcome);
        Assert.Contains($"\"reason\":\"{reason}\"", refused.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FileAtTheLimit_IsAccepted()
    {
        var alice = await OwnerWithSpaceAsync();

        var uploaded = await UploadAsync(alice.Browser, alice.Files, "genau.txt", RandomText((int)MaxBytes));

        Assert.Equal(alice.Files + "?upload=accepted", TestBrowser.LocationOf(uploaded));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("forged")]
    [InlineData("after-the-file")]
    public async Task UploadWithoutAValidTokenFirst_IsRefusedBeforeTheFileIsRead_AndAudited(string token)
    {
        var alice = await OwnerWithSpaceAsync();

        var uploaded = await UploadAsync(alice.Browser, alice.Files, "bericht.txt", "Inhalt"u8.ToArray(), token);

        Assert.Equal(HttpStatusCode.BadRequest, uploaded.StatusCode);
        Assert.Empty(await StoredAsync(alice.OrganizationId));
        Assert.Contains(await AuditAsync(alice.OrganizationId), e => e.Type == AuthorizationEvents.AuthorizationDenied && e.Details!.Contains("antiforgery", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MalformedRequests_AreRefused()
    {
        var alice = await OwnerWithSpaceAsync();
        await alice.Browser.GetAsync(alice.Files);
        var token = alice.Browser.AnyAntiforgeryToken();

        // A url-encoded form is no upload; a multipart form without a file part has nothing to store.
        var urlEncoded = await alice.Browser.PostAsync(alice.Files + "/upload", new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["File"] = "text" });
        using var noFile = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" }, { new StringContent("text"), "Other" } };
        var withoutFile = await alice.Browser.Client.PostAsync(alice.Files + "/upload", noFile, Ct);
        var malformedId = await alice.Browser.Client.GetAsync($"{alice.Files}/not-a-guid", Ct);
        var malformedDelete = await alice.Browser.PostAsync($"{alice.Files}/1234/delete", new Dictionary<string, string> { ["__RequestVerificationToken"] = token });

        Assert.Equal(HttpStatusCode.BadRequest, urlEncoded.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, withoutFile.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, malformedId.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, malformedDelete.StatusCode);
        Assert.Empty(await StoredAsync(alice.OrganizationId));
    }

    [Theory]
    [InlineData("../../etc/passwd.txt", "passwd.txt")]
    [InlineData("..\\..\\Windows\\win.ini", "win.ini")]
    [InlineData("rechnung\u202Etxt.exe", "rechnungtxt.exe")]
    [InlineData("...", "file")]
    [InlineData("a\u0000b\r\nc.txt", "abc.txt")]
    public async Task PathLikeOrDeceptiveNames_AreReducedToASafeName(string sent, string kept)
    {
        var alice = await OwnerWithSpaceAsync();

        await UploadAsync(alice.Browser, alice.Files, sent, "harmlos"u8.ToArray());

        var stored = Assert.Single(await StoredAsync(alice.OrganizationId));
        Assert.Equal(kept, stored.FileName);
        var download = await alice.Browser.Client.GetAsync($"{alice.Files}/{stored.Id}", Ct);
        Assert.Equal(kept, download.Content.Headers.ContentDisposition!.FileNameStar);
    }

    [Fact]
    public async Task QuarantinedFile_IsListedAsAwaitingItsScan_ButNeverDownloads()
    {
        var alice = await OwnerWithSpaceAsync();
        StoredObject held;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<Tenant>().Enter(alice.OrganizationId);
            var files = scope.ServiceProvider.GetRequiredService<SpaceFiles>();
            held = await files.UploadAsync(alice.SpaceId, "wartet.txt", ContentSniffer.Text, new MemoryStream("wartet"u8.ToArray()), StoredObjectStatus.Quarantined, null, Ct);
        }

        await alice.Browser.GetAsync(alice.Files);
        var row = Assert.Single(FileRows().Matches(alice.Browser.LastPage!)).Value;
        Assert.Contains("Awaiting scan", row, StringComparison.Ordinal);
        Assert.DoesNotContain("download", row, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.Browser.Client.GetAsync($"{alice.Files}/{held.Id}", Ct)).StatusCode);
    }

    [Fact]
    public async Task FilesPage_IsInGerman_ForAGermanBrowser()
    {
        var alice = await OwnerWithSpaceAsync();
        await alice.Browser.GetAsync(alice.Files);
        await alice.Browser.PostAsync("/culture", new Dictionary<string, string> { ["__RequestVerificationToken"] = alice.Browser.AnyAntiforgeryToken(), ["culture"] = "de", ["returnUrl"] = alice.Files });

        await alice.Browser.GetAsync(alice.Files);

        Assert.Contains("Datei hochladen", alice.Browser.LastPage, StringComparison.Ordinal);
    }

    private sealed record Owner(TestBrowser Browser, string OrganizationSlug, Guid OrganizationId, Guid SpaceId)
    {
        public string Files => $"/o/{OrganizationSlug}/s/{SpaceSlug}/files";
    }

    private async Task<Owner> OwnerWithSpaceAsync()
    {
        var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        Assert.Equal(HttpStatusCode.Redirect, (await TenancyTests.CreateSpaceAsync(browser, user.OrganizationSlug, "Ablage")).StatusCode);
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            var org = await db.Organizations.Where(o => o.Slug == user.OrganizationSlug).Select(o => o.Id).SingleAsync(Ct);
            var (spaceScope, spaceDb) = host.OpenDb(org);
            await using (spaceScope)
            {
                return new Owner(browser, user.OrganizationSlug, org, await spaceDb.Spaces.Where(s => s.Slug == SpaceSlug).Select(s => s.Id).SingleAsync(Ct));
            }
        }
    }

    /// <summary>A new person (with an organization of their own) made a member of the owner's organization, and of its Space.</summary>
    private async Task<TestBrowser> JoinAsync(Owner owner, OrganizationRole role, SpaceRole? spaceRole)
    {
        var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        Guid userId;
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            userId = await db.Set<KastellUser>().Where(u => u.Email == user.Email).Select(u => u.Id).SingleAsync(Ct);
        }

        (scope, db) = host.OpenDb(owner.OrganizationId);
        await using (scope)
        {
            await scope.ServiceProvider.GetRequiredService<Memberships>().AddToOrganizationAsync(owner.OrganizationId, userId, role, TestContext.Current.CancellationToken);
            if (spaceRole is { } granted)
            {
                await scope.ServiceProvider.GetRequiredService<Memberships>().AddToSpaceAsync(owner.OrganizationId, owner.SpaceId, userId, granted, TestContext.Current.CancellationToken);
            }

            await db.SaveChangesAsync(Ct);
        }

        return browser;
    }

    /// <summary>
    /// Posts the upload form as a browser does: the antiforgery token first, then the file. <paramref name="token"/>:
    /// "page" (the page's token), "none", "forged", or "after-the-file" (the right token, sent too late).
    /// </summary>
    internal static async Task<HttpResponseMessage> UploadAsync(TestBrowser browser, string files, string fileName, byte[] content, string token = "page", bool loadPage = true)
    {
        var pageToken = "";
        if (loadPage)
        {
            var page = await browser.GetAsync(files);
            if (page.StatusCode == HttpStatusCode.OK)
            {
                pageToken = browser.AnyAntiforgeryToken();
            }
        }

        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        switch (token)
        {
            case "page":
                form.Add(new StringContent(pageToken), "__RequestVerificationToken");
                break;
            case "forged":
                form.Add(new StringContent("CfDJ8" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(64))), "__RequestVerificationToken");
                break;
        }

        if (fileName.All(c => c is >= ' ' and < '\u007F' and not '"'))
        {
            form.Add(file, "File", fileName);
        }
        else
        {
            // HttpClient refuses such names in a plain filename parameter; the RFC 5987 form carries them intact.
            file.Headers.TryAddWithoutValidation("Content-Disposition", $"form-data; name=\"File\"; filename*=UTF-8''{Uri.EscapeDataString(fileName)}");
            form.Add(file);
        }
        if (token == "after-the-file")
        {
            form.Add(new StringContent(pageToken), "__RequestVerificationToken");
        }

        return await browser.Client.PostAsync(files + "/upload", form, Ct);
    }

    private static Task<HttpResponseMessage> GetRangeAsync(TestBrowser browser, string url, string range)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Range", range);
        return browser.Client.SendAsync(request, Ct);
    }

    private static byte[] RandomText(int length)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 \n";
        return [.. RandomNumberGenerator.GetItems<char>(alphabet, length).Select(c => (byte)c)];
    }

    private static Guid FileId(string page) => Guid.Parse(FileLink().Match(page).Groups[1].Value);

    private async Task<List<StoredObject>> StoredAsync(Guid org)
    {
        var (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            return await db.StoredObjects.ToListAsync(Ct);
        }
    }

    private async Task<List<AuditEvent>> AuditAsync(Guid org)
    {
        var (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            return await db.AuditEvents.Where(e => e.OrganizationId == org).ToListAsync(Ct);
        }
    }

    [GeneratedRegex("<tr data-testid=\"file\">[\\s\\S]*?</tr>")]
    private static partial Regex FileRows();

    [GeneratedRegex("href=\"/o/[^\"]+/files/([0-9a-f-]{36})\" download")]
    private static partial Regex FileLink();
}

public sealed class FilesSqliteHost(SmtpSink mail) : SqliteHost(mail)
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        new("Kastell:Storage:Clamd", Clamd.Endpoint),
        new("Kastell:Storage:MaxUploadBytes", FileEndpointTests.MaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];
}

/// <summary>PostgreSQL, files in S3 buckets (a download streams from s3rver), clamd.</summary>
public sealed class FilesPostgresS3Host(PostgresCluster cluster, SmtpSink mail) : PostgresHost(cluster, mail)
{
    private readonly string _bucketPrefix = "f" + Guid.NewGuid().ToString("N")[..10] + "-";

    public override StorageProbe Storage => new S3StorageProbe(_bucketPrefix, DataDirectory);

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        .. S3Server.Settings(_bucketPrefix),
        new("Kastell:Storage:Clamd", Clamd.Endpoint),
        new("Kastell:Storage:MaxUploadBytes", FileEndpointTests.MaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];
}

public sealed class FileEndpointTestsOnSqlite(FilesSqliteHost host) : FileEndpointTests(host), IClassFixture<FilesSqliteHost>;

public sealed class FileEndpointTestsOnPostgresWithS3(FilesPostgresS3Host host) : FileEndpointTests(host), IClassFixture<FilesPostgresS3Host>;
