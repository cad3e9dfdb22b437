using System.Net;
using Kastell.Server.Features.Organizations.Create;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.Organizations;

/// <summary>
/// Another organization after sign-up: from the "new organization" page (the account becomes its owner, audited in
/// the new organization's own chain) and from the <c>create-organization</c> verb — and every refusal: anonymous,
/// before MFA, without a token, a bad name, more than an account may own.
/// </summary>
public abstract class CreateOrganizationTests(KastellHost host)
{
    private const string Page = "/organizations/new";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ASignedInAccount_CreatesAnotherOrganization_OwnsIt_AndTheCreationIsAudited()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        var name = "Tochter " + Guid.NewGuid().ToString("N")[..8];
        await browser.GetAsync("/");
        Assert.Contains($"href=\"{Page}\"", browser.LastPage, StringComparison.Ordinal);

        var created = await CreateAsync(browser, name);

        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var slug = Slugs.From(name);
        Assert.Equal($"/o/{slug}", TestBrowser.LocationOf(created));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/o/{slug}")).StatusCode);
        Assert.Contains(name, browser.LastPage, StringComparison.Ordinal);
        await browser.GetAsync("/");
        Assert.Contains($"href=\"/o/{slug}\"", browser.LastPage, StringComparison.Ordinal);
        Assert.Contains($"href=\"/o/{user.OrganizationSlug}\"", browser.LastPage, StringComparison.Ordinal);
        // The owner reads the new organization's own audit chain, which starts with its creation by this account.
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/o/{slug}/audit")).StatusCode);
        var organizationId = await Tenants.OrganizationIdAsync(host, slug);
        var userId = await Tenants.UserIdAsync(host, user.Email);
        var (scope, db) = host.OpenDb(organizationId);
        await using (scope)
        {
            var first = await db.AuditEvents.Where(e => e.OrganizationId == organizationId).OrderBy(e => e.Sequence).FirstAsync(Ct);
            Assert.Equal(TenancyEvents.OrganizationCreated, first.Type);
            Assert.Equal(userId.ToString(), first.ActorId);
            Assert.Equal(organizationId.ToString(), first.TargetId);
            var owner = await db.OrganizationMembers.SingleAsync(Ct);
            Assert.Equal((userId, OrganizationRole.Owner), (owner.UserId, owner.Role));
        }
    }

    [Fact]
    public async Task TheSameName_GetsItsOwnSlug_AndAnotherAccountCannotEnterIt()
    {
        using var browser = host.CreateBrowser();
        await Journeys.SignUpAndEnrolAsync(browser);
        var name = "Zwilling " + Guid.NewGuid().ToString("N")[..8];
        var first = TestBrowser.LocationOf(await CreateAsync(browser, name));
        var second = TestBrowser.LocationOf(await CreateAsync(browser, name));
        Assert.Equal($"/o/{Slugs.From(name)}", first);
        Assert.Equal($"/o/{Slugs.From(name)}-2", second);

        using var stranger = host.CreateBrowser();
        await Journeys.SignUpAndEnrolAsync(stranger);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync(first!)).StatusCode);
    }

    [Fact]
    public async Task Anonymous_IsSentToSignIn_AndCreatesNothing()
    {
        using var browser = host.CreateBrowser();
        var name = "Anonym " + Guid.NewGuid().ToString("N")[..8];

        var page = await browser.GetAsync(Page);
        await browser.GetAsync("/account/sign-in");
        var post = await browser.PostAsync(Page, new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = browser.AnyAntiforgeryToken(),
            ["_handler"] = "create-organization",
            ["Input.Name"] = name,
        });

        Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(page), StringComparison.Ordinal);
        Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(post), StringComparison.Ordinal);
        Assert.False(await ExistsAsync(name));
    }

    [Fact]
    public async Task BeforeMfaEnrolment_TheSessionIsSentToEnrolment_AndCreatesNothing()
    {
        using var browser = host.CreateBrowser();
        await Journeys.SignUpAndSignInAsync(browser, Journeys.UniqueEmail(), "Org " + Guid.NewGuid().ToString("N")[..8]);
        var name = "Ungesichert " + Guid.NewGuid().ToString("N")[..8];

        await browser.GetAsync("/account/mfa/setup");
        var post = await browser.PostAsync(Page, new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = browser.AnyAntiforgeryToken(),
            ["_handler"] = "create-organization",
            ["Input.Name"] = name,
        });

        Assert.Equal("/account/mfa/setup", TestBrowser.LocationOf(await browser.GetAsync(Page)));
        Assert.Equal("/account/mfa/setup", TestBrowser.LocationOf(post));
        Assert.False(await ExistsAsync(name));
    }

    [Fact]
    public async Task WithoutAntiforgeryToken_ThePostIsRefused()
    {
        using var browser = host.CreateBrowser();
        await Journeys.SignUpAndEnrolAsync(browser);
        var name = "Gefälscht " + Guid.NewGuid().ToString("N")[..8];

        var post = await browser.PostAsync(Page, new Dictionary<string, string> { ["_handler"] = "create-organization", ["Input.Name"] = name });

        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        Assert.False(await ExistsAsync(name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Kontroll\u0007zeichen")]
    [InlineData("201")]
    public async Task ABadName_IsRefusedWithAMessage_AndCreatesNothing(string name)
    {
        using var browser = host.CreateBrowser();
        await Journeys.SignUpAndEnrolAsync(browser);
        if (name == "201")
        {
            name = new string('x', 201);
        }

        var before = await CountAsync();
        var post = await CreateAsync(browser, name);

        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Contains("class=\"alert error\"", browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task AnAccountOwningTheMost_IsRefused_ButTheOperatorsVerbIsNot()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        var userId = await Tenants.UserIdAsync(host, user.Email);
        for (var i = 1; i < CreateOrganizationCommand.MaxOwnedPerAccount; i++)
        {
            await using var scope = host.Services.GetRequiredService<TenantScopes>().Open(AuditActor.User(userId));
            Assert.True((await scope.Get<CreateOrganizationCommand>().ExecuteAsync(userId, $"Viele {i} {Guid.NewGuid():N}", AuditActor.User(userId), capped: true, Ct)).Succeeded);
        }

        var name = "Eine zu viel " + Guid.NewGuid().ToString("N")[..8];
        await CreateAsync(browser, name);

        Assert.Contains($"You already own {CreateOrganizationCommand.MaxOwnedPerAccount} organizations", browser.LastPage, StringComparison.Ordinal);
        Assert.False(await ExistsAsync(name));
        using var output = new StringWriter();
        Assert.Equal(0, await KastellCli.RunAsync(host.Services, ["create-organization", "--name", name, "--owner", user.Email], output, Ct));
        Assert.True(await ExistsAsync(name));
    }

    [Fact]
    public async Task TheVerb_CreatesAnOrganizationForAnAccount_AuditedAsTheCli()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        var name = "Betrieb " + Guid.NewGuid().ToString("N")[..8];
        using var output = new StringWriter();

        var code = await KastellCli.RunAsync(host.Services, ["create-organization", "--name", name, "--owner", user.Email], output, Ct);

        Assert.Equal(0, code);
        var slug = Slugs.From(name);
        Assert.Contains($"/o/{slug}", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/o/{slug}/members")).StatusCode);
        var organizationId = await Tenants.OrganizationIdAsync(host, slug);
        var (scope, db) = host.OpenDb(organizationId);
        await using (scope)
        {
            var created = await db.AuditEvents.SingleAsync(e => e.OrganizationId == organizationId && e.Type == TenancyEvents.OrganizationCreated, Ct);
            Assert.Equal((AuditActorKind.System, "cli"), (created.ActorKind, created.ActorId));
            Assert.Contains((await Tenants.UserIdAsync(host, user.Email)).ToString(), created.Details, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--owner", "nobody@example.test", "--name", "Niemandes")]
    [InlineData("--owner", "OWNER", "--name", "")]
    [InlineData("--owner", "OWNER")]
    public async Task TheVerb_WithAnUnknownOwnerOrBadName_IsAUsageError(params string[] arguments)
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        var before = await CountAsync();
        using var output = new StringWriter();

        var code = await KastellCli.RunAsync(host.Services, ["create-organization", .. arguments.Select(a => a == "OWNER" ? user.Email : a)], output, Ct);

        Assert.Equal(2, code);
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task SignUp_WithAControlCharacterInTheOrganizationName_IsRefusedWithAMessage()
    {
        using var browser = host.CreateBrowser();
        var email = Journeys.UniqueEmail();

        var response = await Journeys.SignUpAsync(browser, email, "Glocke\u0007 GmbH");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("name must have 1 to 200 characters and no control characters", browser.LastPage, StringComparison.Ordinal);
        Assert.False(await ExistsAsync("Glocke\u0007 GmbH"));
    }

    private static async Task<HttpResponseMessage> CreateAsync(TestBrowser browser, string name) =>
        await browser.SubmitAsync(Page, "create-organization", new Dictionary<string, string> { ["Input.Name"] = name });

    private async Task<bool> ExistsAsync(string name)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            return await db.Organizations.AnyAsync(o => o.Name == name, Ct);
        }
    }

    private async Task<int> CountAsync()
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            return await db.Organizations.CountAsync(Ct);
        }
    }
}

public sealed class CreateOrganizationTestsOnSqlite(SqliteHost host) : CreateOrganizationTests(host), IClassFixture<SqliteHost>;

public sealed class CreateOrganizationTestsOnPostgres(PostgresHost host) : CreateOrganizationTests(host), IClassFixture<PostgresHost>;
