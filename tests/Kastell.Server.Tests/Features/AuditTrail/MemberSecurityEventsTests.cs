using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kastell.Server.Features.Accounts;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.AuditTrail;

/// <summary>
/// An organization's owners, admins and auditors (can_read_audit) see their members' sign-ins, failures and factor
/// changes in the organization's own chain — from joining on, not before, not after leaving, and nobody else's —
/// with the chain intact; the audit filter offers only actions that can occur in an organization's chain.
/// </summary>
public abstract partial class MemberSecurityEventsTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AdminsAndAuditors_SeeTheirMembersSignInsFailuresAndFactorChanges_InTheOrganizationsOwnChain()
    {
        using var ownerBrowser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(ownerBrowser);
        var organization = await Tenants.OrganizationIdAsync(host, owner.OrganizationSlug);
        using var memberBrowser = host.CreateBrowser();
        var member = await Journeys.SignUpAndEnrolAsync(memberBrowser); // enrolled (MfaEnrolled) before joining
        var memberId = (await Tenants.UserIdAsync(host, member.Email)).ToString();
        await Tenants.AddMemberAsync(host, organization, member.Email, OrganizationRole.Member);

        using (var attempt = host.CreateBrowser())
        {
            await Journeys.PasswordStepAsync(attempt, member.Email, "not the password at all");
        }

        using (var attempt = host.CreateBrowser())
        {
            var password = await Journeys.PasswordStepAsync(attempt, member.Email, member.Password);
            await attempt.SubmitAsync(TestBrowser.LocationOf(password)!, "sign-in-mfa", new Dictionary<string, string> { ["Input.Code"] = TestBrowser.WrongTotpCode(member.TotpSecret) });
        }

        using (var signedIn = host.CreateBrowser())
        {
            await Journeys.SignInAsync(signedIn, member);
            await signedIn.SubmitAsync("/account/security", "recovery-codes", new Dictionary<string, string>
            {
                ["Codes.Password"] = member.Password,
                ["Codes.Code"] = member.RecoveryCodes[0], // the TOTP step was just spent on signing in
            });
        }

        AuditEventType[] expected = [AccountEvents.SignInFailed, AccountEvents.SecondFactorFailed, AccountEvents.SignInSucceeded, AccountEvents.RecoveryCodesRegenerated];
        var copies = await WaitForCopiesAsync(organization, memberId, expected);

        // Each copy is the system chain's event, named by its sequence there, with the same time, outcome and client.
        var system = await SystemEventsOfAsync(memberId);
        foreach (var copy in copies)
        {
            var original = Assert.Single(system, e => e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) == Detail(copy, "systemSequence"));
            Assert.Equal((original.Type, original.OccurredAt, original.Outcome, original.ActorId, original.ClientIp), (copy.Type, copy.OccurredAt, copy.Outcome, copy.ActorId, copy.ClientIp));
        }

        Assert.Equal("wrong-password", Detail(copies.First(c => c.Type == AccountEvents.SignInFailed), "reason"));
        // Enrolled before joining: that stays the member's own business.
        Assert.DoesNotContain(copies, c => c.Type == AccountEvents.MfaEnrolled);

        // On the page, for the owner, an admin and an auditor: the member by name, filtered by the member's address.
        var admin = await JoinAsync(organization, OrganizationRole.Admin);
        var auditor = await JoinAsync(organization, OrganizationRole.Auditor);
        foreach (var reader in new[] { ownerBrowser, admin, auditor })
        {
            var page = await reader.GetAsync($"/o/{owner.OrganizationSlug}/audit?target={Uri.EscapeDataString(member.Email)}");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            var types = Rows().Matches(reader.LastPage!).Select(m => m.Groups["type"].Value).ToHashSet();
            Assert.Superset(expected.Select(t => t.Name).ToHashSet(), types);
            Assert.Contains($"Test Person &lt;{member.Email}&gt;", reader.LastPage, StringComparison.Ordinal);
        }

        var verification = await host.Services.GetRequiredService<AuditVerifier>().VerifyAsync(Ct);
        Assert.True(verification.IsIntact, string.Join('\n', verification.Problems));
    }

    [Fact]
    public async Task APlainMember_CannotReadThem_AndAnotherOrganization_GetsNone()
    {
        using var ownerBrowser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(ownerBrowser);
        var organization = await Tenants.OrganizationIdAsync(host, owner.OrganizationSlug);
        using var strangerBrowser = host.CreateBrowser();
        var stranger = await Journeys.SignUpAndEnrolAsync(strangerBrowser);
        var strangersOrganization = await Tenants.OrganizationIdAsync(host, stranger.OrganizationSlug);
        var plain = await JoinAsync(organization, OrganizationRole.Member);
        var ownerId = (await Tenants.UserIdAsync(host, owner.Email)).ToString();

        using (var attempt = host.CreateBrowser())
        {
            await Journeys.PasswordStepAsync(attempt, owner.Email, "not the owner's password");
        }

        await WaitForCopiesAsync(organization, ownerId, [AccountEvents.SignInFailed]);
        Assert.Equal(HttpStatusCode.NotFound, (await plain.GetAsync($"/o/{owner.OrganizationSlug}/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await strangerBrowser.GetAsync($"/o/{owner.OrganizationSlug}/audit")).StatusCode);
        Assert.DoesNotContain(await ChainAsync(strangersOrganization), e => e.TargetId == ownerId);
    }

    [Fact]
    public async Task AfterAMemberLeaves_TheirSignInsAreNoLongerCopied()
    {
        using var ownerBrowser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(ownerBrowser);
        var organization = await Tenants.OrganizationIdAsync(host, owner.OrganizationSlug);
        using var memberBrowser = host.CreateBrowser();
        var member = await Journeys.SignUpAndEnrolAsync(memberBrowser);
        var memberId = await Tenants.UserIdAsync(host, member.Email);
        await Tenants.AddMemberAsync(host, organization, member.Email, OrganizationRole.Member);
        using (var signedIn = host.CreateBrowser())
        {
            await Journeys.SignInAsync(signedIn, member);
        }

        await WaitForCopiesAsync(organization, memberId.ToString(), [AccountEvents.SignInSucceeded]);
        var (scope, db) = host.OpenDb(organization);
        await using (scope)
        {
            await db.OrganizationMembers.Where(m => m.UserId == memberId).ExecuteDeleteAsync(Ct);
        }

        using (var again = host.CreateBrowser())
        {
            await Journeys.SignInWithRecoveryCodeAsync(again, member, 0);
        }

        // The member's own organization gets the new sign-in; the one they left does not.
        await WaitForCopiesAsync(await Tenants.OrganizationIdAsync(host, member.OrganizationSlug), memberId.ToString(), [AccountEvents.SignInSucceeded], atLeast: 3); // sign-up's password step, then both sign-ins
        Assert.Single(await ChainAsync(organization), e => e.Type == AccountEvents.SignInSucceeded && e.TargetId == memberId.ToString());
    }

    [Fact]
    public async Task AnEventRecordedWhileNoCopierRuns_IsCopiedWhenItRunsAgain_AndARepeatedPassCopiesNothingTwice()
    {
        using var ownerBrowser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(ownerBrowser);
        var organization = await Tenants.OrganizationIdAsync(host, owner.OrganizationSlug);
        using var memberBrowser = host.CreateBrowser();
        var member = await Journeys.SignUpAndEnrolAsync(memberBrowser);
        var memberId = (await Tenants.UserIdAsync(host, member.Email)).ToString();
        await Tenants.AddMemberAsync(host, organization, member.Email, OrganizationRole.Member);

        // The worker stops (as in a restart or a crash) while the member fails to sign in.
        var copier = host.Services.GetRequiredService<MemberEventCopier>();
        await copier.StopAsync(Ct);
        try
        {
            using (var attempt = host.CreateBrowser())
            {
                await Journeys.PasswordStepAsync(attempt, member.Email, "not the password at all");
            }

            Assert.Single(await SystemEventsOfAsync(memberId), e => e.Type == AccountEvents.SignInFailed);
            await Task.Delay(MemberEventCopier.PollInterval / 2, Ct);
            Assert.DoesNotContain(await ChainAsync(organization), e => e.TargetId == memberId && e.Type == AccountEvents.SignInFailed);
        }
        finally
        {
            await copier.StartAsync(Ct);
        }

        // Running again, it finds the event on the system chain (no queue in memory holds it).
        var copy = Assert.Single(await WaitForCopiesAsync(organization, memberId, [AccountEvents.SignInFailed]), c => c.Type == AccountEvents.SignInFailed);

        // A pass that starts over (its cursor lost after the copies were committed) writes no copy twice.
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            Assert.Equal(1, await db.Set<MemberEventCopyCursor>().ExecuteDeleteAsync(Ct));
        }

        await copier.CopyPendingAsync(Ct);
        Assert.Single(await ChainAsync(organization), e => e.TargetId == memberId && e.Type == AccountEvents.SignInFailed);
        Assert.Equal(copy.Id, (await ChainAsync(organization)).Single(e => e.TargetId == memberId && e.Type == AccountEvents.SignInFailed).Id);
        var verification = await host.Services.GetRequiredService<AuditVerifier>().VerifyAsync(Ct);
        Assert.True(verification.IsIntact, string.Join('\n', verification.Problems));
    }

    [Fact]
    public async Task TheFilter_OffersOnlyActionsThatCanOccurInAnOrganizationsChain()
    {
        using var browser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(browser);

        await browser.GetAsync($"/o/{owner.OrganizationSlug}/audit");

        var select = Regex.Match(browser.LastPage!, "<select id=\"audit-action\"[\\s\\S]*?</select>").Value;
        var offered = Options().Matches(select).Select(m => m.Groups["action"].Value).ToHashSet();
        Assert.Superset(new HashSet<string> { "SignInSucceeded", "SignInFailed", "LockedOut", "SecondFactorFailed", "MfaReset", "PasskeyAdded", "SpaceCreated", "OrganizationCreated", "AuthorizationDenied", "AccountCreated" }, offered);
        Assert.Empty(offered.Intersect(["PasswordResetRequested", "EmailConfirmationResent", "EmailConfirmed", "SignedOut", "SessionRenewed", "SessionRevoked", "AccountDeleted"]));
        Assert.Equal(AuditEventCatalog.In(AuditChains.Organization).Select(t => t.Name).ToHashSet(), offered);

        var systemOnly = await browser.GetAsync($"/o/{owner.OrganizationSlug}/audit?action=PasswordResetRequested");
        Assert.Equal(HttpStatusCode.BadRequest, systemOnly.StatusCode);
        Assert.Contains("Action: choose one from the list.", browser.LastPage, StringComparison.Ordinal);
    }

    private async Task<TestBrowser> JoinAsync(Guid organization, OrganizationRole role)
    {
        var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        await Tenants.AddMemberAsync(host, organization, user.Email, role);
        return browser;
    }

    /// <summary>The copies arrive off the request path: waits (up to 20 s) until each type is there for the user.</summary>
    private async Task<List<AuditEvent>> WaitForCopiesAsync(Guid organization, string userId, AuditEventType[] types, int atLeast = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var copies = (await ChainAsync(organization)).Where(e => e.TargetId == userId && AuditEventCatalog.IsMemberSecurityEvent(e.Type)).ToList();
            if (types.All(t => copies.Count(c => c.Type == t) >= atLeast))
            {
                return copies;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Not copied into the organization's chain within 20 s: {string.Join(", ", types.Where(t => copies.Count(c => c.Type == t) < atLeast))}");
            await Task.Delay(200, Ct);
        }
    }

    private async Task<List<AuditEvent>> ChainAsync(Guid organization)
    {
        var (scope, db) = host.OpenDb(organization);
        await using (scope)
        {
            return await db.AuditEvents.AsNoTracking().Where(e => e.OrganizationId == organization).ToListAsync(Ct);
        }
    }

    private async Task<List<AuditEvent>> SystemEventsOfAsync(string userId)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            return await db.AuditEvents.AsNoTracking().Where(e => e.OrganizationId == null && e.TargetId == userId).ToListAsync(Ct);
        }
    }

    private static string? Detail(AuditEvent e, string key) =>
        e.Details is { } json && JsonSerializer.Deserialize<Dictionary<string, string>>(json)!.TryGetValue(key, out var value) ? value : null;

    [GeneratedRegex("data-testid=\"audit-event\" data-type=\"(?<type>[A-Za-z]+)\"")]
    private static partial Regex Rows();

    [GeneratedRegex("<option value=\"(?<action>[A-Za-z]+)\"")]
    private static partial Regex Options();
}

public sealed class MemberSecurityEventsTestsOnSqlite(SqliteHost host) : MemberSecurityEventsTests(host), IClassFixture<SqliteHost>;

public sealed class MemberSecurityEventsTestsOnPostgres(PostgresHost host) : MemberSecurityEventsTests(host), IClassFixture<PostgresHost>;
