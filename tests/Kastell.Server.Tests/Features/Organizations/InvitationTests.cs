using System.Net;
using Kastell.Server.Features.Accounts;
using Kastell.Server.Features.Organizations.Home;
using Kastell.Server.Features.Organizations.Members;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.Organizations;

/// <summary>Invitations into an organization: sending, accepting, revoking, roles and tenant isolation — on each provider.</summary>
public abstract class InvitationTests(KastellHost host)
{
    private const string InviteSubject = "You have been invited";

    [Fact]
    public async Task NewPerson_SignsUpThroughTheInvitation_JoinsWithTheRole_WithoutAnOrganizationOfTheirOwn()
    {
        using var ownerBrowser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(ownerBrowser);
        var invitee = Journeys.UniqueEmail("invitee");

        var sent = await InviteAsync(ownerBrowser, owner.OrganizationSlug, invitee, OrganizationRole.Auditor);
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        Assert.Contains($"An invitation has been sent to {invitee}", ownerBrowser.LastPage, StringComparison.Ordinal);
        var mail = await Mails.WaitAsync(host, invitee, InviteSubject);
        Assert.Contains("Your role: Auditor", mail.TextBody, StringComparison.Ordinal);
        var link = Mails.LinkTo(mail, "/invitations/accept");
        await AssertOnlyTheHashIsStoredAsync(link);

        using var browser = host.CreateBrowser();
        var joined = await SignUpThroughAsync(browser, link);

        Assert.Equal(HttpStatusCode.Redirect, joined.StatusCode);
        Assert.Equal("/account/mfa/setup", TestBrowser.LocationOf(joined));
        await Journeys.EnrolAsync(browser);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/o/{owner.OrganizationSlug}")).StatusCode);
        Assert.Contains("Auditor", browser.LastPage, StringComparison.Ordinal);
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            var user = await db.Users.SingleAsync(u => u.Email == invitee, TestContext.Current.CancellationToken);
            Assert.True(user.EmailConfirmed); // the link proved the mailbox
            Assert.Equal(1, await db.PasswordHistory.CountAsync(h => h.UserId == user.Id, TestContext.Current.CancellationToken));
            // Every organization the person may enter, across tenants (as the home page asks, RLS shows a user their own rows).
            await using var userScope = host.Services.CreateAsyncScope();
            userScope.ServiceProvider.GetRequiredService<CurrentActor>().ActAs(Kastell.Server.Platform.Audit.AuditActor.User(user.Id));
            var memberships = await userScope.ServiceProvider.GetRequiredService<OrganizationDirectory>().ForUserAsync(user.Id, TestContext.Current.CancellationToken);
            var membership = Assert.Single(memberships);
            Assert.Equal(owner.OrganizationSlug, membership.Slug);
            Assert.Equal(OrganizationRole.Auditor, membership.Role);
        }

        using var later = host.CreateBrowser();
        await later.GetAsync(link);
        Assert.Contains("already been used", later.LastPage, StringComparison.Ordinal);
        Assert.DoesNotContain("invitation-sign-up", later.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SigningUpThroughAnInvitation_AppliesTheOrganizationsPasswordPolicy()
    {
        using var ownerBrowser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(ownerBrowser);
        await SetMinimumLengthAsync(owner.OrganizationSlug, 20);
        var invitee = Journeys.UniqueEmail("strict");
        await InviteAsync(ownerBrowser, owner.OrganizationSlug, invitee, OrganizationRole.Member);
        var link = Mails.LinkTo(await Mails.WaitAsync(host, invitee, InviteSubject), "/invitations/accept");

        using var browser = host.CreateBrowser();
        var refused = await SignUpThroughAsync(browser, link, "only sixteen chr"); // enough for the default, not for this organization

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("at least 20 characters", browser.LastPage, StringComparison.Ordinal);
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            Assert.False(await db.Users.AnyAsync(u => u.Email == invitee, TestContext.Current.CancellationToken)); // rolled back
        }

        var accepted = await SignUpThroughAsync(browser, link, "a passphrase that is long enough");
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
    }

    [Fact]
    public async Task SignedInUser_WithTheInvitedAddress_AcceptsAndJoins()
    {
        using var ownerBrowser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(ownerBrowser);
        using var bobBrowser = host.CreateBrowser();
        var bob = await Journeys.SignUpAndEnrolAsync(bobBrowser);
        await InviteAsync(ownerBrowser, owner.OrganizationSlug, bob.Email.ToUpperInvariant(), OrganizationRole.Admin);
        var link = Mails.LinkTo(await Mails.WaitAsync(host, bob.Email.ToUpperInvariant(), InviteSubject), "/invitations/accept");
        Assert.Equal(HttpStatusCode.NotFound, (await bobBrowser.GetAsync($"/o/{owner.OrganizationSlug}")).StatusCode);

        var accepted = await bobBrowser.SubmitAsync(link, "accept-invitation", new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Contains("You are now a member of", bobBrowser.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await bobBrowser.GetAsync($"/o/{owner.OrganizationSlug}")).StatusCode);
        Assert.Contains("Administrator", bobBrowser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignedInUser_WithAnotherAddress_CannotAcceptSomeoneElsesInvitation()
    {
        using var ownerBrowser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(ownerBrowser);
        using var malloryBrowser = host.CreateBrowser();
        var mallory = await Journeys.SignUpAndEnrolAsync(malloryBrowser);
        var invitee = Journeys.UniqueEmail("invitee");
        await InviteAsync(ownerBrowser, owner.OrganizationSlug, invitee, OrganizationRole.Admin);
        var link = Mails.LinkTo(await Mails.WaitAsync(host, invitee, InviteSubject), "/invitations/accept");

        var attempt = await malloryBrowser.SubmitAsync(link, "accept-invitation", new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.OK, attempt.StatusCode);
        Assert.Contains("This invitation is for a different e-mail address", malloryBrowser.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await malloryBrowser.GetAsync($"/o/{owner.OrganizationSlug}")).StatusCode);
        Assert.Equal(InvitationState.Pending, await StateAsync(link));
        _ = mallory;
    }

    [Theory]
    [InlineData(OrganizationRole.Member)]
    [InlineData(OrganizationRole.Auditor)]
    public async Task MembersAndAuditors_CannotInvite_TheCommandRefuses(OrganizationRole role)
    {
        using var ownerBrowser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(ownerBrowser);
        using var memberBrowser = host.CreateBrowser();
        var member = await Journeys.SignUpAndEnrolAsync(memberBrowser);
        var organizationId = await AddMemberAsync(owner.OrganizationSlug, member.Email, role);
        var target = Journeys.UniqueEmail("target");

        // The UI shows no invite form...
        await memberBrowser.GetAsync($"/o/{owner.OrganizationSlug}/members");
        Assert.Contains(owner.Email, memberBrowser.LastPage, StringComparison.Ordinal);
        Assert.DoesNotContain("invite-member", memberBrowser.LastPage, StringComparison.Ordinal);
        // ...a forged post achieves nothing...
        var forged = await memberBrowser.PostAsync($"/o/{owner.OrganizationSlug}/members", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = memberBrowser.AnyAntiforgeryToken(),
            ["_handler"] = "invite-member",
            ["Input.Email"] = target,
            ["Input.Role"] = "Admin",
        });
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode); // the form's permission (can_manage_members), refused before the page runs
        // ...and the command itself refuses, whatever the UI does.
        var outcome = await InviteDirectlyAsync(organizationId, member.Email, role, target, OrganizationRole.Member);

        Assert.Equal(InviteOutcome.Forbidden, outcome);
        Assert.Equal(0, await InvitationCountAsync(organizationId, target));
    }

    [Fact]
    public async Task Admin_CannotInviteAnOwner_ButOwnerCan()
    {
        using var ownerBrowser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(ownerBrowser);
        using var adminBrowser = host.CreateBrowser();
        var admin = await Journeys.SignUpAndEnrolAsync(adminBrowser);
        var organizationId = await AddMemberAsync(owner.OrganizationSlug, admin.Email, OrganizationRole.Admin);
        var target = Journeys.UniqueEmail("target");

        Assert.Equal(InviteOutcome.Forbidden, await InviteDirectlyAsync(organizationId, admin.Email, OrganizationRole.Admin, target, OrganizationRole.Owner));
        Assert.Equal(InviteOutcome.Sent, await InviteDirectlyAsync(organizationId, admin.Email, OrganizationRole.Admin, target, OrganizationRole.Member));
        Assert.Equal(InviteOutcome.Sent, await InviteDirectlyAsync(organizationId, owner.Email, OrganizationRole.Owner, target, OrganizationRole.Owner));
        // The second invitation replaced the first: one pending at a time per address.
        Assert.Equal(1, await InvitationCountAsync(organizationId, target, pendingOnly: true));
        Assert.Equal(2, await InvitationCountAsync(organizationId, target));
    }

    [Fact]
    public async Task OtherOrganization_CannotSeeOrRevokeAnInvitation()
    {
        using var aliceBrowser = host.CreateBrowser();
        var alice = await Journeys.SignUpAndEnrolAsync(aliceBrowser);
        using var bobBrowser = host.CreateBrowser();
        var bob = await Journeys.SignUpAndEnrolAsync(bobBrowser);
        var invitee = Journeys.UniqueEmail("secret-invitee");
        await InviteAsync(aliceBrowser, alice.OrganizationSlug, invitee, OrganizationRole.Member);
        var link = Mails.LinkTo(await Mails.WaitAsync(host, invitee, InviteSubject), "/invitations/accept");
        var invitationId = await InvitationIdAsync(link);

        Assert.Equal(HttpStatusCode.NotFound, (await bobBrowser.GetAsync($"/o/{alice.OrganizationSlug}/members")).StatusCode);
        await bobBrowser.GetAsync($"/o/{bob.OrganizationSlug}/members");
        Assert.DoesNotContain(invitee, bobBrowser.LastPage, StringComparison.Ordinal);
        var token = bobBrowser.AnyAntiforgeryToken();
        var viaOwnOrg = await bobBrowser.PostAsync($"/o/{bob.OrganizationSlug}/members/invitations/{invitationId}/revoke", Form(token));
        var viaAliceOrg = await bobBrowser.PostAsync($"/o/{alice.OrganizationSlug}/members/invitations/{invitationId}/revoke", Form(token));

        Assert.Equal(HttpStatusCode.NotFound, viaOwnOrg.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, viaAliceOrg.StatusCode);
        Assert.Equal(InvitationState.Pending, await StateAsync(link));
    }

    [Fact]
    public async Task Owner_RevokesAnInvitation_AndTheLinkThenSaysSo()
    {
        using var ownerBrowser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(ownerBrowser);
        var invitee = Journeys.UniqueEmail("revoked");
        await InviteAsync(ownerBrowser, owner.OrganizationSlug, invitee, OrganizationRole.Member);
        var link = Mails.LinkTo(await Mails.WaitAsync(host, invitee, InviteSubject), "/invitations/accept");
        await ownerBrowser.GetAsync($"/o/{owner.OrganizationSlug}/members");
        Assert.Contains(invitee, ownerBrowser.LastPage, StringComparison.Ordinal);

        var revoke = await ownerBrowser.PostAsync(
            $"/o/{owner.OrganizationSlug}/members/invitations/{await InvitationIdAsync(link)}/revoke", Form(ownerBrowser.AnyAntiforgeryToken()));

        Assert.Equal(HttpStatusCode.Redirect, revoke.StatusCode);
        await ownerBrowser.GetAsync($"/o/{owner.OrganizationSlug}/members");
        Assert.DoesNotContain(invitee, ownerBrowser.LastPage, StringComparison.Ordinal);
        using var browser = host.CreateBrowser();
        await browser.GetAsync(link);
        Assert.Contains("This invitation has been revoked", browser.LastPage, StringComparison.Ordinal);
        var forged = await browser.PostAsync(link, new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = browser.AnyAntiforgeryToken(),
            ["_handler"] = "invitation-sign-up",
            ["SignUpInput.DisplayName"] = "Late",
            ["SignUpInput.Password"] = Journeys.GoodPassword,
            ["SignUpInput.ConfirmPassword"] = Journeys.GoodPassword,
        });
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode); // a form the page does not show: Blazor refuses the post
        Assert.False(await UserExistsAsync(invitee));
    }

    [Fact]
    public async Task ExpiredInvitation_SaysSo_AndCannotBeUsed()
    {
        using var ownerBrowser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(ownerBrowser);
        var invitee = Journeys.UniqueEmail("late");
        await InviteAsync(ownerBrowser, owner.OrganizationSlug, invitee, OrganizationRole.Member);
        var link = Mails.LinkTo(await Mails.WaitAsync(host, invitee, InviteSubject), "/invitations/accept");
        var invitationId = await InvitationIdAsync(link);
        var organizationId = await OrganizationIdAsync(owner.OrganizationSlug);
        var (scope, db) = host.OpenDb(organizationId);
        await using (scope)
        {
            await db.Invitations.Where(i => i.Id == invitationId)
                .ExecuteUpdateAsync(i => i.SetProperty(x => x.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(-1)), TestContext.Current.CancellationToken);
        }

        using var browser = host.CreateBrowser();
        await browser.GetAsync(link);

        Assert.Contains("This invitation has expired", browser.LastPage, StringComparison.Ordinal);
        Assert.DoesNotContain("invitation-sign-up", browser.LastPage, StringComparison.Ordinal);
        await ownerBrowser.GetAsync($"/o/{owner.OrganizationSlug}/members");
        Assert.DoesNotContain(invitee, ownerBrowser.LastPage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("00000000000000000000000000000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("<script>alert(1)</script>")]
    public async Task MalformedOrUnknownToken_SaysInvalid(string token)
    {
        using var browser = host.CreateBrowser();
        var response = await browser.GetAsync("/invitations/accept?token=" + Uri.EscapeDataString(token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("This invitation link is not valid", browser.LastPage, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert", browser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TamperedToken_OfARealInvitation_SaysInvalid()
    {
        using var ownerBrowser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(ownerBrowser);
        var invitee = Journeys.UniqueEmail("tamper");
        await InviteAsync(ownerBrowser, owner.OrganizationSlug, invitee, OrganizationRole.Member);
        var link = Mails.LinkTo(await Mails.WaitAsync(host, invitee, InviteSubject), "/invitations/accept");
        var token = System.Web.HttpUtility.ParseQueryString(new Uri(new Uri(KastellHost.PublicBaseUrl), link).Query)["token"]!;
        var tampered = token[..^1] + (token[^1] == 'A' ? 'B' : 'A');

        using var browser = host.CreateBrowser();
        await browser.GetAsync(Mails.WithQuery(link, "token", tampered));

        Assert.Contains("This invitation link is not valid", browser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invite_WithMalformedAddress_IsRefused()
    {
        using var ownerBrowser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(ownerBrowser);

        await InviteAsync(ownerBrowser, owner.OrganizationSlug, "not an address", OrganizationRole.Member);

        Assert.Contains("not a valid e-mail address", ownerBrowser.LastPage, StringComparison.Ordinal);
        Assert.Equal(0, await InvitationCountAsync(await OrganizationIdAsync(owner.OrganizationSlug), "not an address"));
    }

    private static Dictionary<string, string> Form(string antiforgery) => new() { ["__RequestVerificationToken"] = antiforgery };

    internal static Task<HttpResponseMessage> InviteAsync(TestBrowser browser, string slug, string email, OrganizationRole role) =>
        browser.SubmitAsync($"/o/{slug}/members", "invite-member", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Role"] = role.ToString(),
        });

    internal static Task<HttpResponseMessage> SignUpThroughAsync(TestBrowser browser, string link, string password = Journeys.GoodPassword) =>
        browser.SubmitAsync(link, "invitation-sign-up", new Dictionary<string, string>
        {
            ["SignUpInput.DisplayName"] = "Invited Person",
            ["SignUpInput.Password"] = password,
            ["SignUpInput.ConfirmPassword"] = password,
        });

    private async Task<InviteOutcome> InviteDirectlyAsync(Guid organizationId, string callerEmail, OrganizationRole callerRole, string email, OrganizationRole role)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<Kastell.Server.Platform.Data.KastellDbContext>();
        services.GetRequiredService<Tenant>().Resolve(await db.Organizations.SingleAsync(o => o.Id == organizationId, TestContext.Current.CancellationToken));
        var caller = await services.GetRequiredService<UserManager<KastellUser>>().FindByEmailAsync(callerEmail);
        // The caller's role is what the organization's relationships say (callerRole documents what the test arranged).
        _ = callerRole;
        services.GetRequiredService<CurrentActor>().ActAs(Kastell.Server.Platform.Audit.AuditActor.User(caller!.Id));
        return (await services.GetRequiredService<InviteMemberCommand>().ExecuteAsync(Inviter.Of(caller!), email, role, TestContext.Current.CancellationToken)).Outcome;
    }

    private async Task<int> InvitationCountAsync(Guid organizationId, string email, bool pendingOnly = false)
    {
        var (scope, db) = host.OpenDb(organizationId);
        await using (scope)
        {
            var rows = db.Invitations.Where(i => i.Email == email);
            return await (pendingOnly ? rows.Where(i => i.RevokedAt == null && i.AcceptedAt == null) : rows).CountAsync(TestContext.Current.CancellationToken);
        }
    }

    private async Task<InvitationState> StateAsync(string link)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<AcceptInvitationCommand>().FindAsync(TokenOf(link), TestContext.Current.CancellationToken)).State;
    }

    private async Task<Guid> InvitationIdAsync(string link)
    {
        var token = TokenOf(link);
        var organizationId = Guid.ParseExact(token[..32], "N");
        var (scope, db) = host.OpenDb(organizationId);
        await using (scope)
        {
            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));
            return await db.Invitations.Where(i => i.TokenHash == hash).Select(i => i.Id).SingleAsync(TestContext.Current.CancellationToken);
        }
    }

    private async Task AssertOnlyTheHashIsStoredAsync(string link)
    {
        var token = TokenOf(link);
        var (scope, db) = host.OpenDb(Guid.ParseExact(token[..32], "N"));
        await using (scope)
        {
            var stored = await db.Invitations.Select(i => i.TokenHash).ToListAsync(TestContext.Current.CancellationToken);
            Assert.DoesNotContain(stored, h => h.Contains(token[33..], StringComparison.Ordinal));
            Assert.Contains(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token))), stored);
        }
    }

    private static string TokenOf(string link) =>
        System.Web.HttpUtility.ParseQueryString(new Uri(new Uri(KastellHost.PublicBaseUrl), link).Query)["token"]!;

    private async Task<bool> UserExistsAsync(string email)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            return await db.Users.AnyAsync(u => u.Email == email, TestContext.Current.CancellationToken);
        }
    }

    private async Task<Guid> OrganizationIdAsync(string slug)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            return await db.Organizations.Where(o => o.Slug == slug).Select(o => o.Id).SingleAsync(TestContext.Current.CancellationToken);
        }
    }

    private async Task SetMinimumLengthAsync(string slug, int length)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            var organization = await db.Organizations.SingleAsync(o => o.Slug == slug, TestContext.Current.CancellationToken);
            organization.PasswordPolicy.MinimumLength = length;
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
    }

    private async Task<Guid> AddMemberAsync(string slug, string email, OrganizationRole role)
    {
        var organizationId = await OrganizationIdAsync(slug);
        var (scope, db) = host.OpenDb(organizationId);
        await using (scope)
        {
            var userId = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(TestContext.Current.CancellationToken);
            await scope.ServiceProvider.GetRequiredService<Memberships>().AddToOrganizationAsync(organizationId, userId, role, TestContext.Current.CancellationToken);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        return organizationId;
    }
}

public sealed class InvitationTestsOnSqlite(SqliteHost host) : InvitationTests(host), IClassFixture<SqliteHost>;

public sealed class InvitationTestsOnPostgres(PostgresHost host) : InvitationTests(host), IClassFixture<PostgresHost>;
