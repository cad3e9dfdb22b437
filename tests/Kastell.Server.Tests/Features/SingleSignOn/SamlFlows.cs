using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Kastell.Server.Features.SingleSignOn;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.SingleSignOn;

/// <summary>What the SAML tests do again and again: connect an organization to the test identity provider, sign in through it.</summary>
internal static partial class SamlFlows
{
    /// <summary>Posts the page's SAML form with a metadata file (multipart, with the form's antiforgery token); the answer's
    /// body is the page with its message.</summary>
    public static async Task<HttpResponseMessage> UploadAsync(TestBrowser browser, string page, string name, string? metadata, string role = "Member", string contexts = "")
    {
        var shown = await browser.GetAsync(page);
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        var token = FormToken().Match(browser.LastPage!).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), "the page has no add-saml form");
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent("add-saml"), "_handler" },
            { new StringContent(name), "SamlName" },
            { new StringContent(role), "SamlDefaultRole" },
            { new StringContent(contexts), "SamlMfaContexts" },
        };
        if (metadata is not null)
        {
            var file = new ByteArrayContent(Encoding.UTF8.GetBytes(metadata));
            file.Headers.ContentType = new MediaTypeHeaderValue("application/samlmetadata+xml");
            form.Add(file, "SamlMetadata", "idp-metadata.xml");
        }

        return await browser.Client.PostAsync(page, form, TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// The admin's way: upload the identity provider's metadata on the page, download the SP metadata Kastell shows and
    /// import it at the provider.
    /// </summary>
    public static async Task<SsoConnection> ConnectAsync(KastellHost host, OrganizationFixture org, string role = "Member", string contexts = "", string name = "Test SAML IdP")
    {
        var page = SsoFlows.Page(org);
        var added = await UploadAsync(org.Owner.Browser, page, name, await SamlTestProvider.MetadataAsync(), role, contexts);
        Assert.Equal(page + "?added=1", TestBrowser.LocationOf(added));
        SsoConnection connection;
        var (scope, db) = host.OpenDb(org.Id);
        await using (scope)
        {
            connection = await db.Set<SsoConnection>().AsNoTracking().SingleAsync(c => c.Name == name, TestContext.Current.CancellationToken);
        }

        await org.Owner.Browser.GetAsync(page);
        Assert.Contains($"/o/{org.Slug}/sso/{connection.Id}/saml-metadata", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        var metadata = await org.Owner.Browser.GetAsync($"/o/{org.Slug}/sso/{connection.Id}/saml-metadata");
        Assert.Equal(HttpStatusCode.OK, metadata.StatusCode);
        await SamlTestProvider.RegisterServiceProviderAsync(org.Owner.Browser.LastPage!);
        return connection;
    }

    /// <summary>From the SSO page through the identity provider to the ACS post; returns Kastell's answer and what was posted.</summary>
    public static async Task<(HttpResponseMessage Response, SamlTestAnswer Answer)> SignInAsync(TestBrowser browser, string organizationOrEmail, SamlTestLogin login)
    {
        var challenge = await SsoFlows.StartAsync(browser, organizationOrEmail);
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var answer = await SamlTestProvider.SignInAsync(challenge.Headers.Location!.AbsoluteUri, login);
        Assert.StartsWith(KastellHost.PublicBaseUrl + "/sso/saml/", answer.AssertionConsumerUrl, StringComparison.Ordinal);
        return (await PostAsync(browser, answer), answer);
    }

    /// <summary>The browser posts the identity provider's form to Kastell's ACS URL (a cross-site post: no antiforgery token).</summary>
    public static Task<HttpResponseMessage> PostAsync(TestBrowser browser, SamlTestAnswer answer) =>
        browser.PostAsync(new Uri(answer.AssertionConsumerUrl).PathAndQuery, answer.Form());

    [GeneratedRegex("data-testid=\"add-saml\"[^>]*>.*?name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"", RegexOptions.Singleline)]
    private static partial Regex FormToken();
}
