using System.Net;
using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Features.Organizations;

/// <summary>
/// The organization page reads its lists (the caller's role, the readable Spaces) only when it renders: a successful
/// "create a Space" post redirects without them, a refused one renders them with its error.
/// </summary>
public sealed class CreateSpacePageTests(SqliteHost host) : IClassFixture<SqliteHost>
{
    [Fact]
    public async Task ARefusedPost_RendersTheErrorWithTheRoleAndTheSpaces_AndAGoodOneRedirects()
    {
        using var browser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(browser);
        var created = await browser.SubmitAsync($"/o/{owner.OrganizationSlug}", "create-space", new Dictionary<string, string> { ["Input.Name"] = "Risk register" });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Equal($"/o/{owner.OrganizationSlug}/s/risk-register", TestBrowser.LocationOf(created));

        var refused = await browser.SubmitAsync($"/o/{owner.OrganizationSlug}", "create-space", new Dictionary<string, string> { ["Input.Name"] = "" });

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("is required", browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("Your role: Owner", browser.LastPage, StringComparison.Ordinal);
        Assert.Contains($"href=\"/o/{owner.OrganizationSlug}/s/risk-register\"", browser.LastPage, StringComparison.Ordinal);

    }
}
