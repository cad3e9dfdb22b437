using System.Net;
using Kastell.Server.Features.Organizations;
using Kastell.Server.Features.Organizations.Members;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.Organizations;

/// <summary>
/// Invitations cannot be turned into a spam relay, on each provider: only a confirmed address invites, each inviter
/// (across organizations) and each organization has an hourly budget answered with 429 and Retry-After in the user's
/// language, and the names the inviter chose reach the mail attributed to the inviter and cut to a name's length.
/// </summary>
public abstract class InvitationAbuseTests(KastellHost host)
{
    public const int PerInviter = 3;
    public const int PerOrganization = 4;

    private const string InviteSubject = "You have been invited";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UnconfirmedInviter_SeesNoInviteForm_AndTheCommandRefuses_UntilTheAddressIsConfirmed()
    {
        using var browser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(browser, confirmEmail: false);
        var target = Journeys.UniqueEmail("target");

        await browser.GetAsync($"/o/{owner.OrganizationSlug}/members");
        Assert.Contains("data-testid=\"invite-needs-confirmed-email\"", browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("Confirm your e-mail address before you invite anyone", browser.LastPage, StringComparison.Ordinal);
        Assert.DoesNotContain("invite-member", browser.LastPage, StringComparison.Ordinal);
        var organizationId = await OrganizationIdAsync(owner.OrganizationSlug);
        Assert.Equal(InviteOutcome.UnconfirmedInviter, (await InviteDirectlyAsync(organizationId, owner.Email, target)).Outcome);
        Assert.Equal(0, await InvitationCountAsync(organizationId));

        await Journeys.ConfirmEmailAsync(host, browser, owner.Email);
        Assert.Equal(HttpStatusCode.OK, (await InvitationTests.InviteAsync(browser, owner.OrganizationSlug, target, OrganizationRole.Member)).StatusCode);
        await Mails.WaitAsync(host, target, InviteSubject);
    }

    [Fact]
    public async Task PerInviterBudget_Spent_Answers429WithRetryAfter_InTheUsersLanguage_AcrossTheirOrganizations()
    {
        using var browser = host.CreateBrowser();
        var alice = await Journeys.SignUpAndEnrolAsync(browser);
        using var otherBrowser = host.CreateBrowser();
        var other = await Journeys.SignUpAndEnrolAsync(otherBrowser);
        await AddMemberAsync(other.OrganizationSlug, alice.Email, OrganizationRole.Admin); // Alice manages a second organization

        var sent = new List<string>();
        for (var i = 0; i < PerInviter; i++)
        {
            var target = Journeys.UniqueEmail($"ok{i}");
            var slug = i % 2 == 0 ? alice.OrganizationSlug : other.OrganizationSlug;
            Assert.Equal(HttpStatusCode.OK, (await InvitationTests.InviteAsync(browser, slug, target, OrganizationRole.Member)).StatusCode);
            sent.Add(target);
        }

        var refusedTarget = Journeys.UniqueEmail("refused");
        var refused = await InvitationTests.InviteAsync(browser, other.OrganizationSlug, refusedTarget, OrganizationRole.Member);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        // A full budget of 3 an hour: one more after 20 minutes.
        Assert.InRange(retryAfter.Value.TotalMinutes, 18, 21);
        Assert.Contains("Too many invitations in the last hour. You can invite again in 20 min.", browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(0, await InvitationCountAsync(await OrganizationIdAsync(other.OrganizationSlug), refusedTarget));
        Assert.Contains(OrganizationEvents.InvitationThrottled, await EventTypesAsync(other.OrganizationSlug));

        // Alice switches to German (the footer's language form: cookie and profile; her profile says English).
        await browser.GetAsync("/");
        await browser.PostAsync("/culture", new Dictionary<string, string> { ["__RequestVerificationToken"] = browser.AnyAntiforgeryToken(), ["culture"] = "de", ["returnUrl"] = "/" });
        var german = await InvitationTests.InviteAsync(browser, alice.OrganizationSlug, refusedTarget, OrganizationRole.Member);
        Assert.Equal(HttpStatusCode.TooManyRequests, german.StatusCode);
        Assert.Contains("Zu viele Einladungen in der letzten Stunde.", browser.LastPage, StringComparison.Ordinal);

        foreach (var target in sent)
        {
            await Mails.WaitAsync(host, target, InviteSubject);
        }

        Assert.DoesNotContain(host.Mail.Messages, m => m.IsAddressedTo(refusedTarget));
    }

    [Fact]
    public async Task PerOrganizationBudget_Spent_RefusesEveryInviter_ButLeavesTheirOwnBudget()
    {
        using var ownerBrowser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(ownerBrowser);
        using var adminBrowser = host.CreateBrowser();
        var admin = await Journeys.SignUpAndEnrolAsync(adminBrowser);
        var organizationId = await AddMemberAsync(owner.OrganizationSlug, admin.Email, OrganizationRole.Admin);

        for (var i = 0; i < PerInviter; i++)
        {
            Assert.Equal(InviteOutcome.Sent, (await InviteDirectlyAsync(organizationId, owner.Email, Journeys.UniqueEmail($"o{i}"))).Outcome);
        }

        Assert.Equal(InviteOutcome.Sent, (await InviteDirectlyAsync(organizationId, admin.Email, Journeys.UniqueEmail("a0"))).Outcome);
        var refused = await InviteDirectlyAsync(organizationId, admin.Email, Journeys.UniqueEmail("a1"));

        Assert.Equal(InviteOutcome.TooMany, refused.Outcome);
        Assert.True(refused.RetryAfter > TimeSpan.Zero);
        Assert.Equal(PerOrganization, await InvitationCountAsync(organizationId));
        // The refusal did not use up the admin's own budget: elsewhere they still have PerInviter - 1 left.
        var adminOwn = await OrganizationIdAsync(admin.OrganizationSlug);
        for (var i = 0; i < PerInviter - 1; i++)
        {
            Assert.Equal(InviteOutcome.Sent, (await InviteDirectlyAsync(adminOwn, admin.Email, Journeys.UniqueEmail($"own{i}"))).Outcome);
        }
    }

    [Fact]
    public async Task NamesTheInviterChose_AreAttributedToTheInviter_AndCutToANamesLength()
    {
        using var browser = host.CreateBrowser();
        var email = Journeys.UniqueEmail("namer");
        const string rtlOverride = "\u202E";
        var displayName = "Your bank" + rtlOverride + " security team: call +1 555 0100 now " + new string('x', 40); // 87 of the 100 a name may have
        var organization = "Payroll update " + new string('y', 149) + " click https://evil.example.test/pay"; // 200 of 200
        var signUp = await browser.SubmitAsync("/account/sign-up", "sign-up", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.DisplayName"] = displayName,
            ["Input.OrganizationName"] = organization,
            ["Input.Password"] = Journeys.GoodPassword,
            ["Input.ConfirmPassword"] = Journeys.GoodPassword,
        });
        Assert.Equal(HttpStatusCode.Redirect, signUp.StatusCode);
        await Journeys.ConfirmEmailAsync(host, browser, email);
        var organizationId = await OrganizationNamedAsync(organization);
        var target = Journeys.UniqueEmail("recipient");

        Assert.Equal(InviteOutcome.Sent, (await InviteDirectlyAsync(organizationId, email, target)).Outcome);
        var mail = await Mails.WaitAsync(host, target, InviteSubject);
        var text = mail.TextBody!;

        Assert.Contains($"({email}) invites you to join the organization", text, StringComparison.Ordinal);
        Assert.Contains($"Kastell sends this invitation on behalf of {email}.", text, StringComparison.Ordinal);
        Assert.Contains("were entered by that account; Kastell has not checked them", text, StringComparison.Ordinal);
        Assert.DoesNotContain(rtlOverride, text, StringComparison.Ordinal);
        Assert.DoesNotContain(rtlOverride, mail.HtmlBody!, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example.test", text, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('x', 14), text, StringComparison.Ordinal);
        Assert.Contains("Your bank security team: call +1 555 0100 now " + new string('x', 13) + "…", text, StringComparison.Ordinal);
        Assert.Contains("\"Payroll update " + new string('y', 44) + "…\"", text, StringComparison.Ordinal);
    }

    private async Task<InviteResult> InviteDirectlyAsync(Guid organizationId, string callerEmail, string email)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<Kastell.Server.Platform.Data.KastellDbContext>();
        services.GetRequiredService<Tenant>().Resolve(await db.Organizations.SingleAsync(o => o.Id == organizationId, Ct));
        var caller = await services.GetRequiredService<UserManager<KastellUser>>().FindByEmailAsync(callerEmail);
        services.GetRequiredService<CurrentActor>().ActAs(Kastell.Server.Platform.Audit.AuditActor.User(caller!.Id));
        return await services.GetRequiredService<InviteMemberCommand>().ExecuteAsync(Inviter.Of(caller), email, OrganizationRole.Member, Ct);
    }

    private async Task<int> InvitationCountAsync(Guid organizationId, string? email = null)
    {
        var (scope, db) = host.OpenDb(organizationId);
        await using (scope)
        {
            return await db.Invitations.CountAsync(i => email == null || i.Email == email, Ct);
        }
    }

    private async Task<Guid> OrganizationIdAsync(string slug)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            return await db.Organizations.Where(o => o.Slug == slug).Select(o => o.Id).SingleAsync(Ct);
        }
    }

    private async Task<Guid> OrganizationNamedAsync(string name)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            return await db.Organizations.Where(o => o.Name == name).Select(o => o.Id).SingleAsync(Ct);
        }
    }

    private async Task<List<Kastell.Server.Platform.Audit.AuditEventType>> EventTypesAsync(string slug)
    {
        var organizationId = await OrganizationIdAsync(slug);
        var (scope, db) = host.OpenDb(organizationId);
        await using (scope)
        {
            return [.. (await db.AuditEvents.AsNoTracking().Where(e => e.OrganizationId == organizationId).ToListAsync(Ct)).Select(e => e.Type)];
        }
    }

    private async Task<Guid> AddMemberAsync(string slug, string email, OrganizationRole role)
    {
        var organizationId = await OrganizationIdAsync(slug);
        var (scope, db) = host.OpenDb(organizationId);
        await using (scope)
        {
            var userId = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(Ct);
            await scope.ServiceProvider.GetRequiredService<Memberships>().AddToOrganizationAsync(organizationId, userId, role, Ct);
            await db.SaveChangesAsync(Ct);
        }

        return organizationId;
    }
}

internal static class SmallInvitationBudgets
{
    public static IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Kastell:Invitations:PerInviterPerHour", InvitationAbuseTests.PerInviter.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Kastell:Invitations:PerOrganizationPerHour", InvitationAbuseTests.PerOrganization.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];
}

public sealed class InvitationAbuseSqliteHost(SmtpSink mail) : SqliteHost(mail)
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => SmallInvitationBudgets.Settings;
}

public sealed class InvitationAbusePostgresHost(PostgresCluster cluster, SmtpSink mail) : PostgresHost(cluster, mail)
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => SmallInvitationBudgets.Settings;
}

public sealed class InvitationAbuseTestsOnSqlite(InvitationAbuseSqliteHost host) : InvitationAbuseTests(host), IClassFixture<InvitationAbuseSqliteHost>;

public sealed class InvitationAbuseTestsOnPostgres(InvitationAbusePostgresHost host) : InvitationAbuseTests(host), IClassFixture<InvitationAbusePostgresHost>;
