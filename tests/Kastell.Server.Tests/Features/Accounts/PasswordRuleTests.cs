using System.Buffers.Binary;
using System.Net;
using Kastell.Server.Features.Accounts;
using Kastell.Server.Features.Accounts.Mfa;
using Kastell.Server.Features.Organizations.Members;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.Organizations;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.Accounts;

/// <summary>Password rules over HTTP: the banned list ignores case, and the reuse history reaches further back than the current password.</summary>
public abstract class PasswordRuleTests(KastellHost host)
{
    [Theory]
    [InlineData("password1234")]
    [InlineData("Password1234")]
    [InlineData("PASSWORD1234")]
    public async Task BannedPassword_IsRefusedAtSignUp_WhateverItsCase(string password)
    {
        using var browser = host.CreateBrowser();

        var signUp = await Journeys.SignUpAsync(browser, Journeys.UniqueEmail(), "Banned " + Guid.NewGuid().ToString("N")[..8], password);

        Assert.Equal(HttpStatusCode.OK, signUp.StatusCode); // the form again, not the "check your e-mail" redirect
        Assert.Contains("This password is too common", browser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangePassword_BackToTheOneBeforeTheLast_IsRefusedByTheHistory()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        const string second = "the second passphrase of 2026";
        const string third = "the third passphrase of 2026";
        // Recovery codes re-authenticate: each is fresh, so no TOTP step has to pass between the changes.
        await ChangeAsync(browser, user.Password, user.RecoveryCodes[0], second, changed: true);
        await ChangeAsync(browser, second, user.RecoveryCodes[1], third, changed: true);

        // "third" is current; "second" is the one before the last change, the first password older still.
        await ChangeAsync(browser, third, user.RecoveryCodes[2], second, changed: false);
        Assert.Contains("must differ from your last 5 passwords", browser.LastPage, StringComparison.Ordinal);
        await ChangeAsync(browser, third, user.RecoveryCodes[3], user.Password, changed: false);
        Assert.Contains("must differ from your last 5 passwords", browser.LastPage, StringComparison.Ordinal);

        using var signIn = host.CreateBrowser();
        var password = await Journeys.PasswordStepAsync(signIn, user.Email, third);
        Assert.StartsWith("/account/sign-in/mfa", TestBrowser.LocationOf(password), StringComparison.Ordinal); // "third" is still the password
    }

    private static async Task ChangeAsync(TestBrowser browser, string current, string code, string next, bool changed)
    {
        var response = await browser.SubmitAsync("/account/password", "change-password", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = current,
            ["Input.Code"] = code,
            ["Input.NewPassword"] = next,
            ["Input.ConfirmPassword"] = next,
        });
        if (changed)
        {
            Assert.Equal("/account/session/renew", TestBrowser.LocationOf(response));
            Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/account/session/renew")).StatusCode); // the new session
        }
        else
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}

public sealed class PasswordRuleTestsOnSqlite(SqliteHost host) : PasswordRuleTests(host), IClassFixture<SqliteHost>;

public sealed class PasswordRuleTestsOnPostgres(PostgresHost host) : PasswordRuleTests(host), IClassFixture<PostgresHost>;

/// <summary>A host whose PBKDF2 work factor is raised above the default.</summary>
public sealed class StrongHashingHost(SmtpSink mail) : SqliteHost(mail)
{
    public const int Iterations = 300_000;

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
        [new("Kastell:Passwords:Pbkdf2Iterations", Iterations.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}

public sealed class ConfiguredWorkFactorTests(StrongHashingHost host) : IClassFixture<StrongHashingHost>
{
    [Fact]
    public async Task ConfiguredIterationCount_IsTheOneInStoredHashes()
    {
        using var browser = host.CreateBrowser();
        var email = Journeys.UniqueEmail();
        Assert.Equal(HttpStatusCode.Redirect, (await Journeys.SignUpAsync(browser, email, "Strong " + Guid.NewGuid().ToString("N")[..8])).StatusCode);

        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            var hash = await db.Set<KastellUser>().Where(u => u.Email == email).Select(u => u.PasswordHash).SingleAsync(TestContext.Current.CancellationToken);
            Assert.Equal(StrongHashingHost.Iterations, Iterations(hash!));
            Assert.NotEqual(Kastell.Server.Features.Accounts.Passwords.PasswordHashingOptions.MinimumPbkdf2Iterations, StrongHashingHost.Iterations); // so the default would fail this test
        }
    }

    /// <summary>Identity v3 format: 0x01, PRF (uint32 BE), iteration count (uint32 BE), salt length, salt, subkey.</summary>
    private static int Iterations(string hash)
    {
        var bytes = Convert.FromBase64String(hash);
        Assert.Equal(0x01, bytes[0]);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(1))); // HMAC-SHA512
        return (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(5));
    }
}
