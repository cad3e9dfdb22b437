using System.Net;
using Kastell.Server.Features.Accounts;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.Accounts;

/// <summary>Deleting one's own account with re-authentication — on each database provider.</summary>
public abstract class AccountDeletionTests(KastellHost host)
{
    [Fact]
    public async Task Deletion_IsRefusedForTheLastOwner_NamingTheOrganization()
    {
        using var browser = host.CreateBrowser();
        var organization = "Sole Owner GmbH " + Guid.NewGuid().ToString("N")[..6];
        var user = await Journeys.SignUpAndEnrolAsync(browser, organization);

        var response = await DeleteAsync(browser, user.Password, TestBrowser.NextTotpCode(user.TotpSecret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"You are the only owner of the organization \"{organization}\"", Decode(browser.LastPage!), StringComparison.Ordinal);
        Assert.True(await UserExistsAsync(user.Email));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode); // still signed in
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task Deletion_WithWrongPasswordOrCode_IsRefused(bool rightPassword, bool rightCode)
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        await AddSecondOwnerAsync(user.OrganizationSlug);

        var response = await DeleteAsync(
            browser,
            rightPassword ? user.Password : "not the password at all",
            rightCode ? TestBrowser.NextTotpCode(user.TotpSecret) : TestBrowser.WrongTotpCode(user.TotpSecret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Password or code is not correct", browser.LastPage, StringComparison.Ordinal);
        Assert.True(await UserExistsAsync(user.Email));
    }

    [Fact]
    public async Task Deletion_WithAnotherOwner_RemovesUserMembershipsSessionsAndHistory_AndSignsOutEverywhere()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        var organizationId = await AddSecondOwnerAsync(user.OrganizationSlug);
        using var otherDevice = host.CreateBrowser();
        await Journeys.SignInWithRecoveryCodeAsync(otherDevice, user, 0); // keeps the next TOTP step for the re-authentication
        Guid userId;
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            userId = await db.Users.Where(u => u.Email == user.Email).Select(u => u.Id).SingleAsync(TestContext.Current.CancellationToken);
            Assert.True(await db.UserSessions.CountAsync(s => s.UserId == userId, TestContext.Current.CancellationToken) >= 2);
        }

        var response = await DeleteAsync(browser, user.Password, TestBrowser.NextTotpCode(user.TotpSecret));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/deleted", TestBrowser.LocationOf(response));
        var (after, afterDb) = host.OpenDb(organizationId);
        await using (after)
        {
            Assert.False(await afterDb.Users.AnyAsync(u => u.Id == userId, TestContext.Current.CancellationToken));
            Assert.False(await afterDb.OrganizationMembers.AnyAsync(m => m.UserId == userId, TestContext.Current.CancellationToken));
            Assert.True(await afterDb.OrganizationMembers.AnyAsync(m => m.Role == OrganizationRole.Owner, TestContext.Current.CancellationToken));
            Assert.False(await afterDb.UserSessions.AnyAsync(s => s.UserId == userId, TestContext.Current.CancellationToken));
            Assert.False(await afterDb.PasswordHistory.AnyAsync(h => h.UserId == userId, TestContext.Current.CancellationToken));
        }

        foreach (var device in new[] { browser, otherDevice })
        {
            var page = await device.GetAsync($"/o/{user.OrganizationSlug}");
            Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
            Assert.Contains("/account/sign-in", page.Headers.Location?.ToString(), StringComparison.Ordinal);
        }

        using var signIn = host.CreateBrowser();
        await Journeys.PasswordStepAsync(signIn, user.Email, user.Password);
        Assert.Contains("Sign-in failed", signIn.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeletionPage_NeedsAnMfaSession()
    {
        using var anonymous = host.CreateBrowser();
        var signedOut = await anonymous.GetAsync("/account/delete");
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Contains("/account/sign-in", signedOut.Headers.Location?.ToString(), StringComparison.Ordinal);

        using var browser = host.CreateBrowser();
        await Journeys.SignUpAndSignInAsync(browser, Journeys.UniqueEmail(), "No Mfa Org");
        var withoutMfa = await browser.GetAsync("/account/delete");
        Assert.Equal(HttpStatusCode.Redirect, withoutMfa.StatusCode);
        Assert.Equal("/account/mfa/setup", TestBrowser.LocationOf(withoutMfa));
    }

    private static Task<HttpResponseMessage> DeleteAsync(TestBrowser browser, string password, string code) =>
        browser.SubmitAsync("/account/delete", "delete-account", new Dictionary<string, string>
        {
            ["Input.Password"] = password,
            ["Input.Code"] = code,
        });

    private static string Decode(string html) => WebUtility.HtmlDecode(html);

    private async Task<bool> UserExistsAsync(string email)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            return await db.Users.AnyAsync(u => u.Email == email, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Makes a fresh account a second owner of the organization, so the first one is no longer the last.</summary>
    private async Task<Guid> AddSecondOwnerAsync(string slug)
    {
        using var other = host.CreateBrowser();
        var second = await Journeys.SignUpAndEnrolAsync(other);
        var (scope, db) = host.OpenDb();
        Guid organizationId, secondId;
        await using (scope)
        {
            organizationId = await db.Organizations.Where(o => o.Slug == slug).Select(o => o.Id).SingleAsync(TestContext.Current.CancellationToken);
            secondId = await db.Users.Where(u => u.Email == second.Email).Select(u => u.Id).SingleAsync(TestContext.Current.CancellationToken);
        }

        var (tenantScope, tenantDb) = host.OpenDb(organizationId);
        await using (tenantScope)
        {
            await tenantScope.ServiceProvider.GetRequiredService<Memberships>().AddToOrganizationAsync(organizationId, secondId, OrganizationRole.Owner, TestContext.Current.CancellationToken);
            await tenantDb.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        return organizationId;
    }
}

public sealed class AccountDeletionTestsOnSqlite(SqliteHost host) : AccountDeletionTests(host), IClassFixture<SqliteHost>;

public sealed class AccountDeletionTestsOnPostgres(PostgresHost host) : AccountDeletionTests(host), IClassFixture<PostgresHost>;
