using System.Net;
using System.Text.RegularExpressions;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.Organizations;
using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Features.Accounts;

/// <summary>
/// A form that failed is shown again, but never with a password, an authenticator code or a recovery code filled in:
/// such a value in the HTML lands in the browser's cache, in a proxy's and in "view source" on a shared screen. For
/// every form with such a field the test posts a distinct marker into each of them (found in the form itself: type
/// password, autocomplete one-time-code, or a field named …Code) and looks for the markers in the answer.
/// </summary>
public sealed partial class CredentialEchoTests(SqliteHost host) : IClassFixture<SqliteHost>
{
    [Fact]
    public async Task FailedSubmits_NeverRenderPasswordsOrCodesBack()
    {
        var checkedForms = new List<string>();
        var problems = new List<string>();

        async Task CheckAsync(TestBrowser browser, string path, string form, bool load = true)
        {
            if (load)
            {
                var page = await browser.GetAsync(path);
                Assert.True(page.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)page.StatusCode}");
            }

            var secrets = SecretFields(FormHtml(browser.LastPage!, form));
            Assert.True(secrets.Count > 0, $"{path} '{form}' shows no password or code field");
            var markers = secrets.ToDictionary(name => name, name => $"Echo{Guid.NewGuid():N}");
            var response = await browser.SubmitShownAsync(path, form, markers);
            var shown = path.Split('?')[0]; // links with tokens stay out of the test output
            checkedForms.Add($"{shown} '{form}' ({string.Join(", ", secrets)}): {(int)response.StatusCode}");
            foreach (var (name, marker) in markers.Where(m => browser.LastPage!.Contains(m.Value, StringComparison.Ordinal)))
            {
                problems.Add($"{shown} '{form}' rendered {name} back");
            }
        }

        // Anonymous forms.
        using (var anonymous = host.CreateBrowser())
        {
            await CheckAsync(anonymous, "/account/sign-in", "sign-in");
            await CheckAsync(anonymous, "/account/sign-up", "sign-up");
        }

        // A person half-way through sign-in (password right, code still to come), and one yet to enrol.
        using var setup = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(setup);
        using (var pending = host.CreateBrowser())
        {
            var password = await Journeys.PasswordStepAsync(pending, user.Email, user.Password);
            await CheckAsync(pending, TestBrowser.LocationOf(password)!, "sign-in-mfa");
            await CheckAsync(pending, "/account/sign-in/recovery", "sign-in-recovery");
        }

        using (var enrolling = host.CreateBrowser())
        {
            await Journeys.SignUpAndSignInAsync(enrolling, Journeys.UniqueEmail("enrolling"), "Echo Org");
            await CheckAsync(enrolling, "/account/mfa/setup", "mfa-setup");
        }

        // A signed-in person's credential forms (each a failed re-authentication).
        await CheckAsync(setup, "/account/password", "change-password");
        await CheckAsync(setup, "/account/delete", "delete-account");
        await CheckAsync(setup, "/account/security", "reset-authenticator");
        await CheckAsync(setup, "/account/security", "recovery-codes");
        await CheckAsync(setup, "/account/security", "passkey-grant");
        var begun = await setup.SubmitAsync("/account/security", "reset-authenticator", new Dictionary<string, string>
        {
            ["Reset.Password"] = user.Password,
            ["Reset.Code"] = TestBrowser.NextTotpCode(user.TotpSecret),
        });
        Assert.Equal(HttpStatusCode.OK, begun.StatusCode);
        await CheckAsync(setup, "/account/security", "confirm-authenticator", load: false);

        // The forms behind e-mailed links: a password reset and an invitation.
        using (var resetting = host.CreateBrowser())
        {
            await resetting.SubmitAsync("/account/forgot-password", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = user.Email });
            var link = Mails.LinkTo(await Mails.WaitAsync(host, user.Email, "Reset your Kastell password"), "/account/reset-password");
            await CheckAsync(resetting, link, "reset-password");
        }

        using (var ownerBrowser = host.CreateBrowser())
        {
            var owner = await Journeys.SignUpAndEnrolAsync(ownerBrowser);
            var invitee = Journeys.UniqueEmail("echo-invitee");
            await InvitationTests.InviteAsync(ownerBrowser, owner.OrganizationSlug, invitee, OrganizationRole.Member);
            var link = Mails.LinkTo(await Mails.WaitAsync(host, invitee, "You have been invited"), "/invitations/accept");
            using var invited = host.CreateBrowser();
            await CheckAsync(invited, link, "invitation-sign-up");
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems) + "\n\nChecked:\n" + string.Join('\n', checkedForms));
        Assert.Equal(13, checkedForms.Count);
    }

    /// <summary>New pages too: no Razor page binds a password or code field with a component that renders its value.</summary>
    [Fact]
    public void NoPage_BindsAPasswordOrCodeField_ToAnInputThatRendersItsValue()
    {
        var source = Path.Combine(RepositoryRoot(), "src", "Kastell.Server");
        var offenders = Directory.EnumerateFiles(source, "*.razor", SearchOption.AllDirectories)
            .SelectMany(file => InputTexts().Matches(File.ReadAllText(file))
                .Where(m => m.Value.Contains("type=\"password\"", StringComparison.Ordinal) || m.Value.Contains("one-time-code", StringComparison.Ordinal))
                .Select(m => $"{Path.GetRelativePath(source, file)}: {m.Value} (use <SecretInput>)"))
            .ToList();

        Assert.Empty(offenders);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Kastell.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Repository root not found.");
    }

    private static string FormHtml(string page, string form) =>
        Forms().Matches(page).Select(m => m.Value).FirstOrDefault(f => f.Contains($"value=\"{form}\"", StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"No form '{form}' on the page.");

    /// <summary>The names of the form's password and code fields.</summary>
    private static List<string> SecretFields(string form) =>
        [.. Inputs().Matches(form).Select(m => m.Value)
            .Where(input => input.Contains("type=\"password\"", StringComparison.Ordinal)
                || input.Contains("autocomplete=\"one-time-code\"", StringComparison.Ordinal)
                || Name().Match(input).Groups[1].Value.EndsWith(".Code", StringComparison.Ordinal))
            .Where(input => !input.Contains("type=\"hidden\"", StringComparison.Ordinal))
            .Select(input => Name().Match(input).Groups[1].Value)
            .Where(name => name.Length > 0)
            .Distinct()];

    [GeneratedRegex("<form[\\s\\S]*?</form>")]
    private static partial Regex Forms();

    [GeneratedRegex("<InputText[^>]*>")]
    private static partial Regex InputTexts();

    [GeneratedRegex("<input[^>]*>")]
    private static partial Regex Inputs();

    [GeneratedRegex("name=\"([^\"]*)\"")]
    private static partial Regex Name();
}
