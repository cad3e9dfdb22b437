using System.Net;
using Kastell.Server.Features.Accounts;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.Accounts;

/// <summary>
/// A user who lost the phone re-authenticates with password and a recovery code instead of an authenticator code, and
/// so can replace the authenticator app; the recovery code is used up like at sign-in.
/// </summary>
public abstract class LostPhoneReauthenticationTests(KastellHost host)
{
    private const string NotCorrect = "Password or code is not correct";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NewAuthenticator_WithPasswordAndRecoveryCode_ReplacesTheApp_AndUsesTheCodeUp()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);

        var begin = await BeginResetAsync(browser, user.Password, user.RecoveryCodes[3]);
        Assert.Equal(HttpStatusCode.OK, begin.StatusCode);
        var newSecret = TestBrowser.TotpSecretFrom(browser.LastPage!);
        Assert.NotEqual(user.TotpSecret, newSecret);
        Assert.Equal(9, await RecoveryCodesLeftAsync(user.Email));

        var confirm = await browser.SubmitShownAsync("/account/security", "confirm-authenticator", new Dictionary<string, string> { ["Confirm.Code"] = TestBrowser.TotpCode(newSecret) });
        Assert.Equal("/account/session/renew", TestBrowser.LocationOf(confirm));
        Assert.Equal("/account/security?authenticator=reset", TestBrowser.LocationOf(await browser.GetAsync("/account/session/renew")));
        Assert.Equal(newSecret, await AuthenticatorKeyAsync(user.Email));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);

        // Spent: neither another re-authentication nor a sign-in accepts it again.
        var again = await RegenerateAsync(browser, user.Password, user.RecoveryCodes[3]);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains(NotCorrect, browser.LastPage, StringComparison.Ordinal);
        Assert.Empty(TestBrowser.RecoveryCodesFrom(browser.LastPage!));
        using var signIn = host.CreateBrowser();
        await Journeys.PasswordStepAsync(signIn, user.Email, user.Password);
        await signIn.SubmitAsync("/account/sign-in/recovery", "sign-in-recovery", new Dictionary<string, string> { ["Input.Code"] = user.RecoveryCodes[3] });
        Assert.Contains("The recovery code was not accepted", signIn.LastPage, StringComparison.Ordinal);
        Assert.Equal(9, await RecoveryCodesLeftAsync(user.Email));

        var used = await RecoveryCodeEventsAsync(user.Email);
        var reauthentication = Assert.Single(used);
        Assert.Contains("\"purpose\":\"reauthentication\"", reauthentication, StringComparison.Ordinal);
        Assert.Contains("\"remaining\":\"9\"", reauthentication, StringComparison.Ordinal);
        Assert.Contains(AccountEvents.MfaReset, await UserEventsAsync(user.Email));
    }

    [Fact]
    public async Task RecoveryCode_AlreadyUsed_WrongOrWithAWrongPassword_IsRefused_AndChangesNothing()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        // Code 0 is spent by a sign-in in another browser.
        using var other = host.CreateBrowser();
        await Journeys.SignInWithRecoveryCodeAsync(other, user, 0);
        Assert.Equal(9, await RecoveryCodesLeftAsync(user.Email));
        var eventsBefore = (await UserEventsAsync(user.Email)).Count(e => e == AccountEvents.RecoveryCodeUsed);

        foreach (var (password, code) in new[]
                 {
                     (user.Password, user.RecoveryCodes[0]),            // used up
                     (user.Password, "BCDFG-HJKMN"),                    // never issued
                     ("not my password at all", user.RecoveryCodes[1]), // valid code, wrong password
                     (user.Password, user.RecoveryCodes[1] + "X"),       // malformed
                 })
        {
            var response = await BeginResetAsync(browser, password, code);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains(NotCorrect, browser.LastPage, StringComparison.Ordinal);
            Assert.DoesNotContain("data-testid=\"totp-key\"", browser.LastPage, StringComparison.Ordinal);
        }

        // Nothing changed: same app, no code spent (the one sent with the wrong password included), both sessions alive.
        Assert.Equal(user.TotpSecret, await AuthenticatorKeyAsync(user.Email));
        Assert.Equal(9, await RecoveryCodesLeftAsync(user.Email));
        Assert.Equal(eventsBefore, (await UserEventsAsync(user.Email)).Count(e => e == AccountEvents.RecoveryCodeUsed));
        Assert.DoesNotContain(AccountEvents.MfaReset, await UserEventsAsync(user.Email));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
        // The four failures above used four guesses of the account's budget of ten, not a lockout: the right answer still works.
        using var signIn = host.CreateBrowser();
        await Journeys.SignInWithRecoveryCodeAsync(signIn, user, 1);
        Assert.Equal(HttpStatusCode.OK, (await signIn.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
    }

    [Fact]
    public async Task RecoveryCode_ReauthenticatesAPasswordChange_Too()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        const string newPassword = "a brand new passphrase 77";

        var change = await browser.SubmitAsync("/account/password", "change-password", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = user.Password,
            ["Input.Code"] = user.RecoveryCodes[5],
            ["Input.NewPassword"] = newPassword,
            ["Input.ConfirmPassword"] = newPassword,
        });

        Assert.Equal("/account/session/renew", TestBrowser.LocationOf(change));
        Assert.Equal(9, await RecoveryCodesLeftAsync(user.Email));
    }

    [Theory]
    [InlineData("short", "at least")]          // the organization policy, checked before re-authentication
    [InlineData(null, "last 5 passwords")]     // the reuse history (null: the current password), checked after it
    public async Task RefusedNewPassword_SpendsNoRecoveryCode_AndKeepsTheOldPassword(string? newPassword, string message)
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        newPassword ??= user.Password;

        var change = await browser.SubmitAsync("/account/password", "change-password", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = user.Password,
            ["Input.Code"] = user.RecoveryCodes[2],
            ["Input.NewPassword"] = newPassword,
            ["Input.ConfirmPassword"] = newPassword,
        });

        Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        Assert.Contains(message, browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(10, await RecoveryCodesLeftAsync(user.Email));
        Assert.Empty(await RecoveryCodeEventsAsync(user.Email));
        Assert.DoesNotContain(AccountEvents.PasswordChanged, await UserEventsAsync(user.Email));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
        using var signIn = host.CreateBrowser();
        await Journeys.SignInWithRecoveryCodeAsync(signIn, user, 2);
        Assert.Equal(HttpStatusCode.OK, (await signIn.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
    }

    private static Task<HttpResponseMessage> BeginResetAsync(TestBrowser browser, string password, string code) =>
        browser.SubmitAsync("/account/security", "reset-authenticator", new Dictionary<string, string>
        {
            ["Reset.Password"] = password,
            ["Reset.Code"] = code,
        });

    private static Task<HttpResponseMessage> RegenerateAsync(TestBrowser browser, string password, string code) =>
        browser.SubmitAsync("/account/security", "recovery-codes", new Dictionary<string, string>
        {
            ["Codes.Password"] = password,
            ["Codes.Code"] = code,
        });

    private async Task<string?> AuthenticatorKeyAsync(string email)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<KastellUser>>();
        return await users.GetAuthenticatorKeyAsync(await users.FindByEmailAsync(email) ?? throw new InvalidOperationException("No such user."));
    }

    private async Task<int> RecoveryCodesLeftAsync(string email)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<KastellUser>>();
        return await users.CountRecoveryCodesAsync(await users.FindByEmailAsync(email) ?? throw new InvalidOperationException("No such user."));
    }

    private async Task<List<AuditEventType>> UserEventsAsync(string email)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            var id = (await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(Ct)).ToString();
            return await db.AuditEvents.AsNoTracking().Where(e => e.OrganizationId == null && e.TargetId == id).Select(e => e.Type).ToListAsync(Ct);
        }
    }

    /// <summary>The details of the RecoveryCodeUsed events recorded for re-authentication (sign-ins record no purpose).</summary>
    private async Task<List<string>> RecoveryCodeEventsAsync(string email)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            var id = (await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(Ct)).ToString();
            var details = await db.AuditEvents.AsNoTracking()
                .Where(e => e.OrganizationId == null && e.TargetId == id && e.Type == AccountEvents.RecoveryCodeUsed)
                .Select(e => e.Details).ToListAsync(Ct);
            return [.. details.OfType<string>().Where(d => d.Contains("reauthentication", StringComparison.Ordinal))];
        }
    }
}

public sealed class LostPhoneReauthenticationTestsOnSqlite(SqliteHost host) : LostPhoneReauthenticationTests(host), IClassFixture<SqliteHost>;

public sealed class LostPhoneReauthenticationTestsOnPostgres(PostgresHost host) : LostPhoneReauthenticationTests(host), IClassFixture<PostgresHost>;
