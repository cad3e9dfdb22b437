using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Kastell.Server.Platform.Tenancy;
using OtpNet;

namespace Kastell.Web.Benchmarks;

internal sealed record SeedSettings(Uri Url, string DataDirectory, string Provider, string? ConnectionString, int Files, int AuditEvents, string OutFile);

/// <summary>
/// Seeds a running Kastell for the benchmark the way a person would: signs up, signs in, enrols an authenticator
/// (the TOTP code computed here from the key the page shows), continues into the session with a second factor,
/// creates a Space, uploads files through the upload form and creates a personal access token on the token page. Only the long audit chain is appended directly, through
/// Kastell's own bulk appender (<see cref="AuditChainSeeder"/>): a hundred thousand audited requests would take
/// longer than the benchmark. Writes what wrk needs (session cookie, slugs, a form token, an API token) as a shell file.
/// </summary>
internal static partial class Seeder
{
    private const string Password = "correct horse battery staple 42";

    public static async Task<int> RunAsync(SeedSettings settings)
    {
        using var browser = new BenchBrowser(settings.Url);
        var email = $"bench-{Guid.NewGuid():N}@example.test";

        var signUp = await browser.SubmitAsync("/account/sign-up", "sign-up", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.DisplayName"] = "Bench Person",
            ["Input.OrganizationName"] = "Bench " + Guid.NewGuid().ToString("N")[..6],
            ["Input.Password"] = Password,
            ["Input.ConfirmPassword"] = Password,
        });
        BenchBrowser.Expect(signUp, HttpStatusCode.Redirect, "sign-up");
        var signIn = await browser.SubmitAsync("/account/sign-in", "sign-in", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = Password,
        });
        BenchBrowser.Expect(signIn, HttpStatusCode.Redirect, "sign-in");

        // Enrolment: the page shows the key; the code for the current step proves the authenticator, and the renewal
        // link replaces the password-only session with one that carries the second factor (amr=mfa).
        BenchBrowser.Expect(await browser.GetAsync("/account/mfa/setup"), HttpStatusCode.OK, "MFA set-up page");
        var key = TotpKey().Match(browser.LastPage) is { Success: true } m
            ? m.Groups[1].Value.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant()
            : throw new InvalidOperationException("The MFA set-up page shows no key.");
        var totp = new Totp(Base32Encoding.ToBytes(key));
        var enrolledAt = DateTime.UtcNow;
        var enrol = await browser.SubmitAsync("/account/mfa/setup", "mfa-setup", new Dictionary<string, string>
        {
            ["Input.Code"] = totp.ComputeTotp(enrolledAt),
        });
        BenchBrowser.Expect(enrol, HttpStatusCode.OK, "MFA enrolment");
        BenchBrowser.Expect(await browser.GetAsync("/account/session/renew"), HttpStatusCode.Redirect, "session renewal");

        BenchBrowser.Expect(await browser.GetAsync("/"), HttpStatusCode.OK, "home page");
        var organization = OrganizationLink().Match(browser.LastPage) is { Success: true } o
            ? o.Groups[1].Value
            : throw new InvalidOperationException("The home page lists no organization: the session has no second factor?");

        var create = await browser.SubmitAsync($"/o/{organization}", "create-space", new Dictionary<string, string> { ["Input.Name"] = "Evidence" });
        BenchBrowser.Expect(create, HttpStatusCode.Redirect, "creating the Space");
        var space = SpaceLink().Match(BenchBrowser.LocationOf(create) ?? "") is { Success: true } s
            ? s.Groups[1].Value
            : throw new InvalidOperationException($"Creating a Space led to {BenchBrowser.LocationOf(create)}.");

        var filesPage = $"/o/{organization}/s/{space}/files";
        for (var i = 1; i <= settings.Files; i++)
        {
            var text = $"Evidence {i}: access review of quarter {(i % 4) + 1}, signed off.\n" + new string('x', 200 + (i * 37 % 800));
            var upload = await browser.UploadAsync(filesPage, string.Create(CultureInfo.InvariantCulture, $"evidence-{i:D3}.txt"), Encoding.UTF8.GetBytes(text));
            BenchBrowser.Expect(upload, HttpStatusCode.Redirect, $"upload {i}");
            if (BenchBrowser.LocationOf(upload)?.EndsWith("upload=accepted", StringComparison.Ordinal) != true)
            {
                throw new InvalidOperationException($"Upload {i} was not accepted: {BenchBrowser.LocationOf(upload)}");
            }
        }

        BenchBrowser.Expect(await browser.GetAsync(filesPage), HttpStatusCode.OK, "files page");
        var listed = Regex.Count(browser.LastPage, "data-testid=\"file\"");
        if (listed != settings.Files)
        {
            throw new InvalidOperationException($"The files page lists {listed} files, not {settings.Files}.");
        }

        await using (var services = await AuditChainSeeder.CreateServicesAsync(settings))
        {
            var organizationId = await services.OrganizationIdAsync(organization) ?? throw new InvalidOperationException("The organization is not in the database.");
            await AuditChainSeeder.AppendAsync(services, organizationId, settings.AuditEvents);
        }

        // A personal access token for the API request, made through the token page like a person would: password and
        // a code of a later TOTP step than the enrolment's (a step's code is accepted once).
        var step = TimeSpan.FromSeconds(30);
        var nextStep = new DateTime(enrolledAt.Ticks - (enrolledAt.Ticks % step.Ticks), DateTimeKind.Utc) + step;
        if (DateTime.UtcNow < nextStep)
        {
            await Task.Delay(nextStep - DateTime.UtcNow + TimeSpan.FromSeconds(1));
        }

        var tokenPage = await browser.SubmitAsync($"/o/{organization}/api-tokens", "create-token", new Dictionary<string, string>
        {
            ["token-name"] = "bench",
            ["token-days"] = "1",
            ["token-permission"] = "file:can_read",
            ["token-password"] = Password,
            ["token-code"] = totp.ComputeTotp(DateTime.UtcNow),
        });
        BenchBrowser.Expect(tokenPage, HttpStatusCode.OK, "creating an API token");
        var apiToken = ApiTokenSecret().Match(browser.LastPage) is { Success: true } t
            ? t.Groups[1].Value
            : throw new InvalidOperationException("The token page shows no new token.");

        // The form token of the organization page's "create a Space" form, for wrk's writing post.
        BenchBrowser.Expect(await browser.GetAsync($"/o/{organization}"), HttpStatusCode.OK, "organization page");
        var formToken = browser.FormToken("create-space");
        BenchBrowser.Expect(await browser.GetAsync($"/o/{organization}/audit"), HttpStatusCode.OK, "audit page");

        await File.WriteAllLinesAsync(settings.OutFile,
        [
            $"KASTELL_ORG='{organization}'",
            $"KASTELL_SPACE='{space}'",
            $"KASTELL_COOKIE='{browser.CookieHeader}'",
            $"KASTELL_FORM_TOKEN='{Uri.EscapeDataString(formToken)}'",
            $"KASTELL_TOKEN='{apiToken}'",
        ]);
        Console.WriteLine($"seeded {settings.Url}: organization {organization}, Space {space} with {settings.Files} files, {settings.AuditEvents:N0} audit events");
        return 0;
    }

    [GeneratedRegex("<code class=\"secret\">(kastell_pat_[A-Za-z0-9_]+)</code>")]
    private static partial Regex ApiTokenSecret();

    [GeneratedRegex("data-testid=\"totp-key\">([^<]+)<")]
    private static partial Regex TotpKey();

    [GeneratedRegex("href=\"/o/([a-z0-9-]+)\"")]
    private static partial Regex OrganizationLink();

    [GeneratedRegex("^/o/[a-z0-9-]+/s/([a-z0-9-]+)$")]
    private static partial Regex SpaceLink();
}
