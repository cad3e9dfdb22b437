using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Kastell.Server.Features.Assets;
using Kastell.Server.Features.Assets.Inheritance;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;
using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.Assets;

/// <summary>
/// Importing assets from a CSV or XLSX file, as people do it: a preview that changes nothing, then a confirmation
/// that creates every asset, owner and dependency or nothing; every bad row reported with its row and column; German
/// spreadsheets (semicolons, Latin-1, German headers and labels); and the refusals: a preview's payload altered,
/// replayed by someone else or in another Space, data changed since the preview, no permission, another
/// organization, no antiforgery token. On each provider.
/// </summary>
public abstract partial class AssetImportTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ACsvFile_IsPreviewedWithoutChangingAnything_ThenImportedAllAtOnce_WithOwnersAndDependencies()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var tina = await org.JoinAsync(OrganizationRole.Member, (s.Id, SpaceRole.Editor));
        var ops = await Tenants.CreateTeamAsync(host, org.Id, "Ops");
        var rack = await AssetsData.CreateAsync(host, org.Id, s.Id, org.Owner.Id, "Rack A", AssetKind.Physical);
        var csv = Encoding.UTF8.GetBytes(
            "name,kind,owner,confidentiality,confidentiality_justification,depends_on,description\n" +
            $"Kundenportal,Application,{tina.User.Email.ToUpperInvariant()},Very high,Customer data,Web server,\"Shop, for customers\"\n" +
            "Web server,Infrastructure,ops,,,Rack A,\n" +
            "\n" +
            "Backup,Data,,,,,\n");
        var mark = await AuditWatermark.TakeAsync(host);

        var preview = await UploadAsync(tina, s, "assets.csv", csv);
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.Contains("3 assets with 2 dependencies. Nothing has been created yet.", tina.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(3, Regex.Matches(tina.Browser.LastPage!, "data-testid=\"import-row\"").Count);
        Assert.Single(await RowsAsync<Asset>(org.Id));
        Assert.Empty(await mark.NewEventsAsync());

        var confirmed = await ConfirmAsync(tina, s, PayloadOf(tina));
        Assert.Equal(s.Path("/assets?imported=3"), TestBrowser.LocationOf(confirmed));
        var assets = (await RowsAsync<Asset>(org.Id)).ToDictionary(a => a.Name);
        Assert.Equal(4, assets.Count);
        var portal = assets["Kundenportal"];
        Assert.Equal((AssetKind.Application, ProtectionLevel.VeryHigh, "Customer data", "Shop, for customers"),
            (portal.Kind, portal.Confidentiality, portal.ConfidentialityJustification, portal.Description));
        var (web, backup) = (assets["Web server"], assets["Backup"]);
        Assert.Equal(AssetKind.Infrastructure, web.Kind);
        Assert.Equal(ProtectionLevel.Normal, web.Confidentiality);
        var tuples = await org.TuplesAsync();
        Assert.Contains($"asset:{portal.Id:D}#owner@user:{tina.Id:D}", tuples);
        Assert.Contains($"asset:{web.Id:D}#owner@team:{ops:D}#member", tuples);
        Assert.DoesNotContain(tuples, t => t.StartsWith($"asset:{backup.Id:D}#owner@", StringComparison.Ordinal));
        Assert.All(new[] { portal, web, backup }, a => Assert.Contains($"asset:{a.Id:D}#space@space:{s.Id:D}", tuples));
        var dependencies = (await RowsAsync<AssetDependency>(org.Id)).Select(d => (d.AssetId, d.DependsOnId)).Order().ToList();
        Assert.Equal(new[] { (portal.Id, web.Id), (web.Id, rack) }.Order(), dependencies);

        // The needs pass down the imported dependencies like any others.
        await tina.Browser.GetAsync(s.Path($"/assets/{web.Id:D}"));
        Assert.Contains("inherited from Kundenportal", tina.Browser.LastPage, StringComparison.Ordinal);
        var events = await mark.NewEventsAsync();
        Assert.Equal(3, events.Count(e => e.Type == AssetEvents.AssetCreated));
        var imported = Assert.Single(events, e => e.Type == AssetEvents.AssetsImported);
        var details = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(imported.Details!)!;
        Assert.Equal("3", details["assets"]);
        Assert.Equal("2", details["dependencies"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(csv)), details["sha256"]);
        Assert.Equal(tina.Id.ToString(), imported.ActorId);

        // The same file again is refused row by row: the names exist now, so nothing is doubled.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await UploadAsync(tina, s, "assets.csv", csv)).StatusCode);
        Assert.Equal([2, 3, 5], ProblemRows(tina));
        Assert.Equal(4, (await RowsAsync<Asset>(org.Id)).Count);
    }

    [Fact]
    public async Task AGermanSpreadsheetExport_WithSemicolonsLatin1GermanHeadersAndLabels_IsRead()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var csv = Encoding.Latin1.GetBytes(
            "Name;Art;Vertraulichkeit;Vertraulichkeit Begründung;Verfügbarkeit;Verfügbarkeit_Begründung;Abhängig von\r\n" +
            "Personalakte;Daten;sehr hoch;Gesundheitsdaten;hoch;Lohnzahlung;Serverraum\r\n" +
            "Serverraum;Physisch;;;;;\r\n" +
            "Lieferant;von einem Dienstleister bereitgestellt;normal;;;;\r\n");

        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(org.Owner, s, "export.csv", csv)).StatusCode);
        Assert.Contains("3 assets with 1 dependencies.", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await ConfirmAsync(org.Owner, s, PayloadOf(org.Owner))).StatusCode);

        var assets = (await RowsAsync<Asset>(org.Id)).ToDictionary(a => a.Name);
        Assert.Equal((AssetKind.Data, ProtectionLevel.VeryHigh, "Gesundheitsdaten", ProtectionLevel.High, "Lohnzahlung"),
            (assets["Personalakte"].Kind, assets["Personalakte"].Confidentiality, assets["Personalakte"].ConfidentialityJustification,
                assets["Personalakte"].Availability, assets["Personalakte"].AvailabilityJustification));
        Assert.Equal(AssetKind.Physical, assets["Serverraum"].Kind);
        Assert.Equal(AssetKind.SupplierProvided, assets["Lieferant"].Kind);
    }

    [Fact]
    public async Task AnExcelWorkbook_IsRead_FromItsFirstSheet_WithSharedAndInlineStrings()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var xlsx = Workbook(
            ["name", "kind", "integrity", "integrity_justification", "depends_on"],
            ["ERP", "Application", "High", "Bookkeeping", "DB 1; DB 2"],
            ["DB 1", "Infrastructure", "", "", ""],
            ["DB 2", "Infrastructure", "", "", ""]);

        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(org.Owner, s, "assets.xlsx", xlsx)).StatusCode);
        Assert.Contains("3 assets with 2 dependencies.", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await ConfirmAsync(org.Owner, s, PayloadOf(org.Owner))).StatusCode);
        var assets = (await RowsAsync<Asset>(org.Id)).ToDictionary(a => a.Name);
        Assert.Equal(ProtectionLevel.High, assets["ERP"].Integrity);
        Assert.Equal(2, (await RowsAsync<AssetDependency>(org.Id)).Count(d => d.AssetId == assets["ERP"].Id));
    }

    [Fact]
    public async Task EveryBadRow_IsReportedWithItsRowAndColumn_AndNothingIsImported()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        await AssetsData.CreateAsync(host, org.Id, s.Id, org.Owner.Id, "Existing", AssetKind.Data);
        var before = await SnapshotAsync(org);
        var csv = Encoding.UTF8.GetBytes(
            "name,kind,owner,confidentiality,confidentiality_justification,depends_on\n" +
            "A,Application,nobody@example.com,,,\n" +              // 2: unknown owner
            "B,Application,,,,C\n" +                              // 3
            "C,Application,,,,B\n" +                              // 4: closes the cycle B → C → B
            "D,Spaceship,,,,\n" +                                 // 5: unknown kind
            "E,Data,,High,,\n" +                                  // 6: high without a justification
            "B,Data,,,,\n" +                                      // 7: B twice
            "existing,Data,,,,\n" +                               // 8: the Space has it (any case)
            "F,Data,,,,Nowhere\n" +                               // 9: unknown dependency
            "G,Data,,extreme,,\n" +                               // 10: unknown level
            "H,Data,,,,\n");                                      // 11: fine

        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await UploadAsync(org.Owner, s, "bad.csv", csv)).StatusCode);
        var page = org.Owner.Browser.LastPage!;
        Assert.Contains("Some rows cannot be imported, so nothing was imported.", page, StringComparison.Ordinal);
        Assert.Equal([2, 4, 5, 6, 7, 8, 9, 10], ProblemRows(org.Owner));
        Assert.Contains("Neither a member&#x27;s e-mail address nor a team of this organization", page, StringComparison.Ordinal);
        Assert.Contains("This dependency would close a cycle", page, StringComparison.Ordinal);
        Assert.Contains("<code>Spaceship</code>", page, StringComparison.Ordinal);
        Assert.Contains("This space already has an asset of this name", page, StringComparison.Ordinal);
        Assert.Contains("An earlier row has the same name", page, StringComparison.Ordinal);
        Assert.Contains("No asset of this name in the file or in this space", page, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"confirm-import\"", page, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(org));

        // In German too.
        await SetGermanAsync(org.Owner);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await UploadAsync(org.Owner, s, "bad.csv", csv)).StatusCode);
        Assert.Contains("Einige Zeilen lassen sich nicht importieren, daher wurde nichts importiert.", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"col\">Zeile</th>", org.Owner.Browser.LastPage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("png")]
    [InlineData("header-only")]
    [InlineData("no-kind-column")]
    [InlineData("unknown-column")]
    [InlineData("too-many-rows")]
    [InlineData("broken-zip")]
    public async Task AFileThatCannotBeImported_IsRefusedAsAWhole_WithTheReason(string file)
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var before = await SnapshotAsync(org);
        var (content, status, text) = file switch
        {
            "empty" => ([], HttpStatusCode.BadRequest, "Choose a CSV or XLSX file with a header row"),
            "png" => (Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="), HttpStatusCode.UnprocessableEntity, "Unknown column"),
            "header-only" => ("name,kind\n"u8.ToArray(), HttpStatusCode.UnprocessableEntity, "The file has a header but no assets below it"),
            "no-kind-column" => ("name,owner\nA,\n"u8.ToArray(), HttpStatusCode.UnprocessableEntity, "This column is required"),
            "unknown-column" => ("name,kind,colour\nA,Data,red\n"u8.ToArray(), HttpStatusCode.UnprocessableEntity, "Unknown column; see the template"),
            "too-many-rows" => (Encoding.UTF8.GetBytes("name,kind\n" + string.Concat(Enumerable.Range(0, 5001).Select(i => $"A{i},Data\n"))), HttpStatusCode.BadRequest, "more rows than one import takes"),
            _ => ((byte[])[0x50, 0x4B, 0x03, 0x04, 1, 2, 3], HttpStatusCode.BadRequest, "Choose a CSV or XLSX file with a header row"),
        };

        var answer = await UploadAsync(org.Owner, s, "file", content);
        Assert.Equal(status, answer.StatusCode);
        Assert.Contains(text, org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"confirm-import\"", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(org));
    }

    [Fact]
    public async Task TheConfirmation_IsBoundToThePersonAndTheSpace_CannotBeAltered_AndChecksTheFileAgain()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var other = await SpaceAsync(org, "Other");
        var tina = await org.JoinAsync(OrganizationRole.Member, (s.Id, SpaceRole.Editor));
        var (scope, _) = host.OpenDb(org.Id);
        await using (scope)
        {
            await scope.ServiceProvider.GetRequiredService<Memberships>().AddToSpaceAsync(org.Id, other.Id, tina.Id, SpaceRole.Editor, Ct);
            await scope.ServiceProvider.GetRequiredService<KastellDbContext>().SaveChangesAsync(Ct);
        }

        var csv = "name,kind\nPortal,Application\n"u8.ToArray();
        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(org.Owner, s, "a.csv", csv)).StatusCode);
        var payload = PayloadOf(org.Owner);
        var before = await SnapshotAsync(org);

        // Altered, replayed by someone else, replayed in another Space, missing: refused, nothing created.
        var altered = payload[..^3] + (payload[^3] == 'A' ? 'B' : 'A') + payload[^2..];
        Assert.Equal(HttpStatusCode.BadRequest, (await ConfirmAsync(org.Owner, s, altered)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await ConfirmAsync(tina, s, payload)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await ConfirmAsync(org.Owner, other, payload)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await ConfirmAsync(org.Owner, s, "")).StatusCode);
        Assert.Contains("This preview has expired or does not belong to you.", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        // Without the antiforgery token.
        Assert.Equal(HttpStatusCode.BadRequest, (await org.Owner.Browser.PostWithoutTokenAsync(s.Path("/assets/import/confirm"), new Dictionary<string, string> { ["payload"] = payload })).StatusCode);
        Assert.Equal(before, await SnapshotAsync(org));

        // What the preview saw changed before the confirmation: checked again, refused, nothing created.
        await AssetsData.CreateAsync(host, org.Id, s.Id, org.Owner.Id, "portal", AssetKind.Data);
        before = await SnapshotAsync(org);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await ConfirmAsync(org.Owner, s, payload)).StatusCode);
        Assert.Equal(before, await SnapshotAsync(org));
    }

    [Fact]
    public async Task OnlyWhoMayEditAssets_Imports_AndAnotherOrganizationSeesNothing()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var s = await SpaceAsync(org);
        var viewer = await org.JoinAsync(OrganizationRole.Member, (s.Id, SpaceRole.Viewer));
        var editor = await org.JoinAsync(OrganizationRole.Member, (s.Id, SpaceRole.Editor));
        await using var stranger = await OrganizationFixture.CreateAsync(host);
        var csv = "name,kind\nPortal,Application\n"u8.ToArray();
        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(editor, s, "a.csv", csv)).StatusCode);
        var payload = PayloadOf(editor);
        var before = await SnapshotAsync(org);

        // The editor sees the way in from the list; the viewer neither sees it nor gets in.
        await editor.Browser.GetAsync(s.Assets);
        Assert.Contains($"href=\"{s.Path("/assets/import")}\"", editor.Browser.LastPage, StringComparison.Ordinal);
        await viewer.Browser.GetAsync(s.Assets);
        Assert.DoesNotContain("/assets/import", viewer.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Browser.GetAsync(s.Path("/assets/import"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Browser.GetAsync(s.Path("/assets/import/template.csv"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Browser.PostFromAsync(s.Assets, s.Path("/assets/import/confirm"), new Dictionary<string, string> { ["payload"] = payload })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Owner.Browser.GetAsync(s.Path("/assets/import"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Owner.Browser.PostFromAsync($"/o/{stranger.Slug}", s.Path("/assets/import/confirm"), new Dictionary<string, string> { ["payload"] = payload })).StatusCode);
        using var anonymous = host.CreateBrowser();
        var signIn = await anonymous.GetAsync(s.Path("/assets/import"));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(signIn), StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(org));

        // The template: the header every import reads, and an example row that imports as it is.
        var template = await editor.Browser.GetAsync(s.Path("/assets/import/template.csv"));
        Assert.Equal(HttpStatusCode.OK, template.StatusCode);
        Assert.Equal("text/csv", template.Content.Headers.ContentType?.MediaType);
        var bytes = await template.Content.ReadAsByteArrayAsync(Ct);
        Assert.StartsWith("name,kind,description,owner,confidentiality,", Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF'), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(editor, s, "kastell-assets.csv", bytes)).StatusCode);
        Assert.Contains("2 assets with 1 dependencies.", editor.Browser.LastPage, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> UploadAsync(Person person, SpacePaths s, string fileName, byte[] content)
    {
        var path = s.Path("/assets/import");
        Assert.Equal(HttpStatusCode.OK, (await person.Browser.GetAsync(path)).StatusCode);
        var token = FormToken().Match(person.Browser.LastPage!).Groups[1].Value;
        using var form = new MultipartFormDataContent
        {
            { new StringContent(WebUtility.HtmlDecode(token)), "__RequestVerificationToken" },
            { new StringContent("preview-import"), "_handler" },
        };
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", fileName);
        return await person.Browser.PostContentAsync(path, form);
    }

    private static Task<HttpResponseMessage> ConfirmAsync(Person person, SpacePaths s, string payload) =>
        person.Browser.PostFromAsync(s.Path("/assets"), s.Path("/assets/import/confirm"), new Dictionary<string, string> { ["payload"] = payload });

    private static string PayloadOf(Person person)
    {
        var match = Regex.Match(person.Browser.LastPage!, "name=\"payload\" value=\"([^\"]+)\"");
        Assert.True(match.Success, "The preview carries no payload to confirm.");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    private static List<int> ProblemRows(Person person) =>
        [.. Regex.Matches(person.Browser.LastPage!, "data-testid=\"import-problem\" data-row=\"(\\d+)\"").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    private static async Task SetGermanAsync(Person person)
    {
        await person.Browser.GetAsync("/");
        await person.Browser.PostAsync("/culture", new Dictionary<string, string>
        {
            ["culture"] = "de",
            ["returnUrl"] = "/",
            ["__RequestVerificationToken"] = person.Browser.AnyAntiforgeryToken(),
        });
    }

    /// <summary>A workbook as spreadsheet programs write it: the header in shared strings, the rows as inline strings.</summary>
    private static byte[] Workbook(params string[][] rows)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            var shared = workbook.AddNewPart<SharedStringTablePart>();
            shared.SharedStringTable = new SharedStringTable(rows[0].Select(h => new SharedStringItem(new Text(h))));
            var sheet = workbook.AddNewPart<WorksheetPart>();
            var data = new SheetData();
            for (var r = 0; r < rows.Length; r++)
            {
                var row = new Row { RowIndex = (uint)(r + 1) };
                for (var c = 0; c < rows[r].Length; c++)
                {
                    if (rows[r][c].Length == 0)
                    {
                        continue; // as Excel does: empty cells are left out, the next cell's reference says where it is
                    }

                    var reference = $"{(char)('A' + c)}{r + 1}";
                    row.Append(r == 0
                        ? new Cell { CellReference = reference, DataType = CellValues.SharedString, CellValue = new CellValue(c.ToString(System.Globalization.CultureInfo.InvariantCulture)) }
                        : new Cell { CellReference = reference, DataType = CellValues.InlineString, InlineString = new InlineString(new Text(rows[r][c])) });
                }

                data.Append(row);
            }

            sheet.Worksheet = new Worksheet(data);
            workbook.Workbook.AppendChild(new Sheets(new DocumentFormat.OpenXml.Spreadsheet.Sheet { Id = workbook.GetIdOfPart(sheet), SheetId = 1, Name = "Assets" }));
        }

        return stream.ToArray();
    }

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
            .. assets.OrderBy(a => a.Id).Select(a => $"{a.Id} {a.Name} {a.Kind}"),
            .. dependencies.OrderBy(d => d.Id).Select(d => $"{d.AssetId} {d.DependsOnId}"),
            .. await org.TuplesAsync(),
        ]);
    }

    [GeneratedRegex("data-testid=\"import-form\"[^>]*>.*?name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"", RegexOptions.Singleline)]
    private static partial Regex FormToken();
}

public sealed class AssetImportTestsOnSqlite(SqliteHost host) : AssetImportTests(host), IClassFixture<SqliteHost>;

public sealed class AssetImportTestsOnPostgres(PostgresHost host) : AssetImportTests(host), IClassFixture<PostgresHost>;
