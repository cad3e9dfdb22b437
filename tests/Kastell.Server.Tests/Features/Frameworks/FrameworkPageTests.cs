using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Kastell.Server.Features.Frameworks;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.Frameworks;

/// <summary>
/// The framework library and a framework's page over HTTP: importing by upload (larger than the platform's 1 MiB
/// request limit), the requirements filtered and paged — and every refusal: anonymous, another organization, a member
/// without the permission, a malformed file, a post without its antiforgery token.
/// </summary>
public abstract partial class FrameworkPageTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string NistModerate = FrameworkImportTests.Data("nist/NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog-min.json");

    [Fact]
    public async Task Owner_ImportsByUpload_SeesTheLibrary_AndFiltersAndPagesTheRequirements()
    {
        var owner = await OwnerAsync();
        Assert.True(new FileInfo(NistModerate).Length > 1024 * 1024); // beyond the platform's request limit

        var response = await UploadAsync(owner.Browser, owner.Library, "moderate.json", await File.ReadAllBytesAsync(NistModerate, Ct));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var detail = TestBrowser.LocationOf(response)!;
        Assert.Matches($"^{owner.Library}/[0-9a-f-]{{36}}\\?imported=1$", detail);
        int total;
        var (scope, db) = host.OpenDb(owner.OrganizationId);
        await using (scope)
        {
            total = await db.Set<Requirement>().CountAsync(Ct);
        }

        Assert.Equal(HttpStatusCode.OK, (await owner.Browser.GetAsync(detail)).StatusCode);
        Assert.Contains($"Imported {total:N0} requirements", owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(50, Rows().Count(owner.Browser.LastPage!));
        Assert.Contains("rel=\"next\"", owner.Browser.LastPage, StringComparison.Ordinal);

        await owner.Browser.GetAsync(owner.Library);
        Assert.Contains("NIST Special Publication 800-53 Revision 5", owner.Browser.LastPage, StringComparison.Ordinal);

        var path = detail[..detail.IndexOf('?', StringComparison.Ordinal)];
        await owner.Browser.GetAsync(path + "?q=AC-2");
        var filtered = Rows().Matches(owner.Browser.LastPage!).Select(m => m.Value).ToList();
        Assert.NotEmpty(filtered);
        Assert.All(filtered, row => Assert.Contains("ac-2", row, StringComparison.OrdinalIgnoreCase));

        var last = (total + 49) / 50;
        await owner.Browser.GetAsync($"{path}?page={last}");
        Assert.Equal(total - ((last - 1) * 50), Rows().Count(owner.Browser.LastPage!));
        Assert.DoesNotContain("rel=\"next\"", owner.Browser.LastPage, StringComparison.Ordinal);

        var invalid = await owner.Browser.GetAsync($"{path}?q={new string('x', 201)}");
        Assert.Equal(HttpStatusCode.OK, invalid.StatusCode);
        Assert.Contains("The filter is not valid", owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(0, Rows().Count(owner.Browser.LastPage!));
    }

    [Fact]
    public async Task MalformedFile_IsRefusedOnThePage_WithItsPointer_AndImportsNothing()
    {
        var owner = await OwnerAsync();

        var response = await UploadAsync(owner.Browser, owner.Library, "kaputt.json", "{\"catalog\":{\"uuid\":\"0b7e0c6e-4a4e-4a8e-9b55-1f1d2b0a9c11\",\"metadata\":{\"title\":\"T\",\"last-modified\":\"2026-01-01T00:00:00Z\",\"version\":\"1\",\"oscal-version\":\"1.1.3\"},\"controls\":[{\"id\":7,\"title\":\"x\"}]}}"u8.ToArray());
        var page = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not a valid OSCAL catalog or profile; nothing was imported", page, StringComparison.Ordinal);
        Assert.Contains("/catalog/controls/0/id", page, StringComparison.Ordinal);
        var empty = await UploadAsync(owner.Browser, owner.Library, "leer.json", [], loadPage: false, token: owner.Browser.AnyAntiforgeryToken());
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(0, await FrameworkCountAsync(owner.OrganizationId));
    }

    [Fact]
    public async Task PostWithoutAntiforgeryToken_IsRefused_AndImportsNothing()
    {
        var owner = await OwnerAsync();

        var response = await UploadAsync(owner.Browser, owner.Library, "moderate.json", await File.ReadAllBytesAsync(NistModerate, Ct), token: "");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await FrameworkCountAsync(owner.OrganizationId));
    }

    [Fact]
    public async Task Anonymous_IsSentToSignIn_ForTheLibrary_TheDetail_AndTheImport()
    {
        var owner = await OwnerAsync();
        var detail = await ImportBasicAsync(owner);
        using var anonymous = host.CreateBrowser();

        var library = await anonymous.GetAsync(owner.Library);
        var framework = await anonymous.GetAsync(detail);
        var import = await UploadAsync(anonymous, owner.Library, "basic.json", await File.ReadAllBytesAsync(FrameworkImportTests.Data("nist/basic-catalog.json"), Ct), loadPage: false, token: "");

        foreach (var response in new[] { library, framework, import })
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(response), StringComparison.Ordinal);
        }

        Assert.Equal(1, await FrameworkCountAsync(owner.OrganizationId));
    }

    [Fact]
    public async Task AnotherOrganization_SeesNeitherTheLibraryNorTheFramework_NotEvenThroughItsOwnAddress()
    {
        var alice = await OwnerAsync();
        var detail = await ImportBasicAsync(alice);
        var bob = await OwnerAsync();
        var id = detail[(detail.LastIndexOf('/') + 1)..];

        Assert.Equal(HttpStatusCode.NotFound, (await bob.Browser.GetAsync(alice.Library)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Browser.GetAsync(detail)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Browser.GetAsync($"{bob.Library}/{id}")).StatusCode);
        Assert.DoesNotContain("Example", bob.Browser.LastPage, StringComparison.Ordinal);
        var import = await UploadAsync(bob.Browser, alice.Library, "basic.json", await File.ReadAllBytesAsync(FrameworkImportTests.Data("nist/basic-catalog.json"), Ct), loadPage: false, token: "");
        Assert.True(import.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, import.StatusCode.ToString());
        Assert.Equal(1, await FrameworkCountAsync(alice.OrganizationId));
        Assert.Equal(0, await FrameworkCountAsync(bob.OrganizationId));
    }

    [Fact]
    public async Task Member_ReadsTheLibrary_ButCannotImport()
    {
        var owner = await OwnerAsync();
        var detail = await ImportBasicAsync(owner);
        var member = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(member);
        await Tenants.AddMemberAsync(host, owner.OrganizationId, user.Email, OrganizationRole.Member);

        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync(detail)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync(owner.Library)).StatusCode);
        Assert.DoesNotContain("data-testid=\"import-form\"", member.LastPage, StringComparison.Ordinal);

        var import = await UploadAsync(member, owner.Library, "zweiter.json", System.Text.Encoding.UTF8.GetBytes(FrameworkImportTests.Catalog("9", ("m-1", "Mitglied"))), loadPage: false, token: member.AnyAntiforgeryToken());

        // The import form is not rendered for a member, so the page has no handler for the post: refused before any code runs.
        Assert.Equal(HttpStatusCode.BadRequest, import.StatusCode);
        Assert.Equal(1, await FrameworkCountAsync(owner.OrganizationId));
    }

    [Fact]
    public async Task TheLibrary_SpeaksGerman()
    {
        var owner = await OwnerAsync();
        // Chosen as a signed-in user does (the account's language then outranks the browser's Accept-Language).
        await owner.Browser.GetAsync(owner.Library);
        await owner.Browser.PostAsync("/culture", new Dictionary<string, string> { ["__RequestVerificationToken"] = owner.Browser.AnyAntiforgeryToken(), ["culture"] = "de", ["returnUrl"] = owner.Library });

        await owner.Browser.GetAsync(owner.Library);

        Assert.Contains("Framework importieren", owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("Es wurden noch keine Frameworks importiert.", owner.Browser.LastPage, StringComparison.Ordinal);
    }

    private sealed record Owner(TestBrowser Browser, string OrganizationSlug, Guid OrganizationId)
    {
        public string Library => $"/o/{OrganizationSlug}/frameworks";
    }

    private async Task<Owner> OwnerAsync()
    {
        var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        return new Owner(browser, user.OrganizationSlug, await Tenants.OrganizationIdAsync(host, user.OrganizationSlug));
    }

    /// <summary>Imports NIST's small example catalog through the page; returns the framework's address.</summary>
    private static async Task<string> ImportBasicAsync(Owner owner)
    {
        var response = await UploadAsync(owner.Browser, owner.Library, "basic.json", await File.ReadAllBytesAsync(FrameworkImportTests.Data("nist/basic-catalog.json"), Ct));
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync(Ct));
        var location = TestBrowser.LocationOf(response)!;
        return location[..location.IndexOf('?', StringComparison.Ordinal)];
    }

    private async Task<int> FrameworkCountAsync(Guid organizationId)
    {
        var (scope, db) = host.OpenDb(organizationId);
        await using (scope)
        {
            return await db.Set<Framework>().CountAsync(Ct);
        }
    }

    /// <summary>Posts the import form as a browser does; <paramref name="token"/> null takes the page's own token, "" sends none.</summary>
    internal static async Task<HttpResponseMessage> UploadAsync(TestBrowser browser, string library, string fileName, byte[] content, bool loadPage = true, string? token = null)
    {
        if (loadPage)
        {
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(library)).StatusCode);
            token ??= FormToken().Match(browser.LastPage!).Groups[1].Value;
        }

        using var form = new MultipartFormDataContent();
        if (!string.IsNullOrEmpty(token))
        {
            form.Add(new StringContent(token), "__RequestVerificationToken");
        }

        form.Add(new StringContent("import-framework"), "_handler");
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        form.Add(file, "file", fileName);
        return await browser.Client.PostAsync(library, form, Ct);
    }

    [GeneratedRegex("data-testid=\"import-form\"[^>]*>.*?name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"", RegexOptions.Singleline)]
    private static partial Regex FormToken();

    [GeneratedRegex("<li data-testid=\"requirement\".*?</li>", RegexOptions.Singleline)]
    private static partial Regex Rows();
}

public sealed class FrameworkPageTestsOnSqlite(SqliteHost host) : FrameworkPageTests(host), IClassFixture<SqliteHost>;

public sealed class FrameworkPageTestsOnPostgres(PostgresHost host) : FrameworkPageTests(host), IClassFixture<PostgresHost>;
