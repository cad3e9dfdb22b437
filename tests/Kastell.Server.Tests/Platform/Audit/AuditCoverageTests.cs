using System.Net;
using System.Text.RegularExpressions;
using Kastell.Server.Features.Accounts;
using Kastell.Server.Features.Organizations;
using Kastell.Server.Features.Organizations.Spaces;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Platform.Audit;

/// <summary>The existing features write their audit events through real HTTP flows, and no event carries a secret.</summary>
public abstract partial class AuditCoverageTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AccountAndTenancyFlows_WriteTheirEvents_WithoutSecrets_AndTheChainsVerify()
    {
        // Sign-up, enrolment, a Space.
        using var laptop = host.CreateBrowser();
        var alice = await Journeys.SignUpAndEnrolAsync(laptop);
        await TenancyTests.CreateSpaceAsync(laptop, alice.OrganizationSlug, "Audited");
        var aliceId = await UserIdAsync(alice.Email);
        var orgId = await OrganizationIdAsync(alice.OrganizationSlug);

        // A member's forged attempt to create a Space is denied.
        using var memberBrowser = host.CreateBrowser();
        var member = await Journeys.SignUpAndEnrolAsync(memberBrowser);
        var memberId = await UserIdAsync(member.Email);
        await AddMemberAsync(orgId, memberId);
        // The page renders no form for members, so Blazor refuses a forged post before the command runs; the command's
        // own refusal is exercised directly, as a future API endpoint would reach it.
        await DeniedSpaceCreationAsync(orgId, memberId);

        // Sign-in with TOTP, a wrong TOTP, sign-in with a recovery code.
        using var phone = host.CreateBrowser();
        await Journeys.SignInAsync(phone, alice);
        using var tablet = host.CreateBrowser();
        var password = await Journeys.PasswordStepAsync(tablet, alice.Email, alice.Password);
        await tablet.SubmitAsync(TestBrowser.LocationOf(password)!, "sign-in-mfa", new Dictionary<string, string> { ["Input.Code"] = "000000" == TestBrowser.TotpCode(alice.TotpSecret) ? "111111" : "000000" });
        var recovery = await tablet.SubmitAsync("/account/sign-in/recovery", "sign-in-recovery", new Dictionary<string, string> { ["Input.Code"] = alice.RecoveryCodes[0] });
        Assert.Equal(HttpStatusCode.Redirect, recovery.StatusCode);

        // Revoke one session, then all others; sign out.
        await laptop.GetAsync("/account/sessions");
        var handle = RevokeForms().Match(laptop.LastPage!).Groups[1].Value;
        await laptop.SubmitAsync("/account/sessions", "revoke-" + handle, new Dictionary<string, string>());
        await laptop.SubmitAsync("/account/sessions", "revoke-others", new Dictionary<string, string>());
        await laptop.GetAsync("/");
        var signOut = await laptop.PostAsync("/account/sign-out", new Dictionary<string, string> { ["__RequestVerificationToken"] = laptop.AnyAntiforgeryToken() });
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);

        // An unknown account (its "e-mail" is what people type when they mix up the fields), and throttling.
        const string typedIntoEmail = "Hunter2-Secret-Typed-Into-Email";
        using var stranger = host.CreateBrowser();
        await Journeys.PasswordStepAsync(stranger, typedIntoEmail, "whatever-password-1");
        var wrongPasswords = Enumerable.Range(1, 11).Select(i => $"wrong-password-{i}-{Guid.NewGuid():N}").ToList();
        foreach (var wrong in wrongPasswords)
        {
            await Journeys.PasswordStepAsync(stranger, member.Email, wrong);
        }

        var system = await EventsAsync(null);
        var organization = await EventsAsync(orgId);

        Assert.Contains(organization, e => e.Type == AccountEvents.AccountCreated && e.ActorId == aliceId.ToString());
        Assert.Contains(organization, e => e.Type == TenancyEvents.OrganizationCreated && e.TargetId == orgId.ToString());
        Assert.Contains(organization, e => e.Type == OrganizationEvents.SpaceCreated && e.ActorId == aliceId.ToString());
        Assert.Contains(organization, e => e.Type == AuthorizationEvents.AuthorizationDenied && e.ActorId == memberId.ToString() && e.Outcome == AuditOutcome.Denied);
        var aliceEvents = system.Where(e => e.TargetId == aliceId.ToString()).Select(e => e.Type).ToList();
        Assert.Contains(AccountEvents.MfaEnrolled, aliceEvents);
        Assert.Contains(AccountEvents.SignInSucceeded, aliceEvents);
        Assert.Contains(AccountEvents.SecondFactorFailed, aliceEvents);
        Assert.Contains(AccountEvents.RecoveryCodeUsed, aliceEvents);
        Assert.Contains(AccountEvents.OtherSessionsRevoked, aliceEvents);
        Assert.Contains(AccountEvents.SignedOut, aliceEvents);
        Assert.Contains(system, e => e.Type == AccountEvents.SessionRevoked && e.ActorId == aliceId.ToString() && e.TargetId == handle);
        var unknown = Assert.Single(system, e => e.Type == AccountEvents.SignInFailed && e.TargetType == "account" && e.CreatedBy(AuditActorKind.Anonymous));
        Assert.StartsWith("hmac1:", unknown.TargetId, StringComparison.Ordinal);
        var memberEvents = system.Where(e => e.TargetId == memberId.ToString()).ToList();
        Assert.Equal(11, memberEvents.Count(e => e.Type == AccountEvents.SignInFailed));
        Assert.Single(memberEvents, e => e.Type == AccountEvents.SignInThrottled); // the eleventh, past the burst of ten
        // Every event written during a request carries its trace id (the direct command call above has no request).
        Assert.All(system.Concat(organization).Where(e => e.Type != AuthorizationEvents.AuthorizationDenied), e => Assert.False(string.IsNullOrEmpty(e.CorrelationId)));

        string[] secrets = [Journeys.GoodPassword, alice.TotpSecret, alice.TotpSecret.ToLowerInvariant(), member.TotpSecret, typedIntoEmail, typedIntoEmail.ToUpperInvariant(), .. alice.RecoveryCodes, .. wrongPasswords];
        var text = string.Join('\n', system.Concat(organization).Select(Flatten));
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase));

        var verification = await host.Services.GetRequiredService<AuditVerifier>().VerifyAsync(Ct);
        Assert.True(verification.IsIntact, string.Join('\n', verification.Problems));
        using var output = new StringWriter();
        Assert.Equal(0, await Kastell.Server.Platform.Audit.VerifyAuditVerb.RunAsync(host.Services, output, Ct));
        Assert.EndsWith(": intact", output.ToString().TrimEnd(), StringComparison.Ordinal);
    }

    private static string Flatten(AuditEvent e) => string.Join('|', e.ActorId, e.TargetType, e.TargetId, e.ClientIp, e.UserAgent, e.CorrelationId, e.Details);

    private async Task<List<AuditEvent>> EventsAsync(Guid? organization)
    {
        var (scope, db) = host.OpenDb(organization);
        await using (scope)
        {
            return await db.AuditEvents.AsNoTracking().Where(e => e.OrganizationId == organization).ToListAsync(Ct);
        }
    }

    private async Task<Guid> UserIdAsync(string email)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            return await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(Ct);
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

    private async Task DeniedSpaceCreationAsync(Guid organization, Guid member)
    {
        var (scope, db) = host.OpenDb(organization);
        await using (scope)
        {
            scope.ServiceProvider.GetRequiredService<Tenant>().Resolve(await db.Organizations.SingleAsync(o => o.Id == organization, Ct));
            scope.ServiceProvider.GetRequiredService<Kastell.Server.Platform.Identity.CurrentActor>().ActAs(AuditActor.User(member));
            var result = await scope.ServiceProvider.GetRequiredService<CreateSpaceCommand>().ExecuteAsync(member, AuditActor.User(member), "Sneaky", Ct);
            Assert.Equal(Kastell.Server.Platform.Http.Failures.NotAllowed, result.Failure);
        }
    }

    private async Task AddMemberAsync(Guid organization, Guid user)
    {
        var (scope, db) = host.OpenDb(organization);
        await using (scope)
        {
            await scope.ServiceProvider.GetRequiredService<Memberships>().AddToOrganizationAsync(organization, user, OrganizationRole.Member, TestContext.Current.CancellationToken);
            await db.SaveChangesAsync(Ct);
        }
    }

    [GeneratedRegex("name=\"_handler\" value=\"revoke-([0-9a-f]{20})\"")]
    private static partial Regex RevokeForms();
}

internal static class AuditEventAssertions
{
    public static bool CreatedBy(this AuditEvent e, AuditActorKind kind) => e.ActorKind == kind;
}

public sealed class AuditCoverageTestsOnSqlite(SqliteHost host) : AuditCoverageTests(host), IClassFixture<SqliteHost>;

public sealed class AuditCoverageTestsOnPostgres(PostgresHost host) : AuditCoverageTests(host), IClassFixture<PostgresHost>;
