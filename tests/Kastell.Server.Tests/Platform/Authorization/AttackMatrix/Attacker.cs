using System.Net;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Platform.Authorization.AttackMatrix;

/// <summary>
/// One way in the attack matrix tries every endpoint: a browser with its own session (or none) and its own
/// antiforgery token, so a refusal comes from authorization, never from a missing token.
/// </summary>
public sealed class Attacker : IDisposable
{
    private Attacker(string name, TestBrowser browser, EnrolledUser? user, Guid? userId, bool writesOnly)
    {
        Name = name;
        Browser = browser;
        User = user;
        UserId = userId;
        WritesOnly = writesOnly;
    }

    public string Name { get; }

    public TestBrowser Browser { get; }

    /// <summary>The account, for signing in again after an endpoint ended the session; null for the anonymous visitor.</summary>
    public EnrolledUser? User { get; }

    public Guid? UserId { get; }

    /// <summary>Tries only what changes state (the auditor: reading is their job, writing never is).</summary>
    public bool WritesOnly { get; }

    /// <summary>A member of the victim's organization during the attacks: its own sign-in events are copied into the victim's chain.</summary>
    public bool IsVictimMember { get; private set; }

    /// <summary>A valid antiforgery token of this browser's own session.</summary>
    public string Token { get; private set; } = "";

    private int _recoveryCodesUsed;

    /// <summary>
    /// Every attacker, arranged against <paramref name="victim"/>: the ones who once had access show that they had
    /// (the Vault's files answer 200) before it is taken away, so their refusals below are about the revocation.
    /// </summary>
    public static async Task<List<Attacker>> ArrangeAsync(VictimTenant victim)
    {
        var host = victim.Host;
        var org = victim.OrganizationId;
        var vaultFiles = $"/o/{victim.OrganizationSlug}/s/{victim.Vault.Slug}/files";

        var anonymous = new Attacker("anonymous", host.CreateBrowser(), null, null, writesOnly: false);

        var stranger = await SignUpAsync(host, "owner of another organization");

        var member = await SignUpAsync(host, "member without relation");
        await Tenants.AddMemberAsync(host, org, member.User!.Email, OrganizationRole.Member, (victim.Lobby.Id, SpaceRole.Editor));

        var removed = await SignUpAsync(host, "removed member, session open");
        await Tenants.AddMemberAsync(host, org, removed.User!.Email, OrganizationRole.Member, (victim.Vault.Id, SpaceRole.Editor));
        await AssertReachesAsync(removed, vaultFiles);
        await Relations.RemoveFromOrganizationAsync(host, org, removed.UserId!.Value); // the Space role stays: it must no longer count

        var former = await SignUpAsync(host, "former team member");
        await Tenants.AddMemberAsync(host, org, former.User!.Email, OrganizationRole.Member);
        await Relations.AddToTeamAsync(host, org, victim.TeamId, former.UserId!.Value);
        await AssertReachesAsync(former, vaultFiles);
        await Relations.RemoveFromTeamAsync(host, org, victim.TeamId, former.UserId!.Value);

        var auditor = await SignUpAsync(host, "auditor attempting writes", writesOnly: true);
        await Tenants.AddMemberAsync(host, org, auditor.User!.Email, OrganizationRole.Auditor);
        await AssertReachesAsync(auditor, vaultFiles); // reads every Space: the refusals below are about writing

        member.IsVictimMember = former.IsVictimMember = auditor.IsVictimMember = true;
        List<Attacker> all = [anonymous, stranger, member, removed, former, auditor];
        foreach (var attacker in all)
        {
            await attacker.RefreshTokenAsync();
            // The token is good: the language switch, which refuses a bad one with 400, takes it.
            var control = await attacker.Browser.PostAsync("/culture", new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = attacker.Token,
                ["culture"] = "en",
                ["returnUrl"] = "/",
            });
            Assert.True(control.StatusCode == HttpStatusCode.Redirect, $"Arranging the matrix: the {attacker.Name}'s antiforgery token was refused ({(int)control.StatusCode}).");
        }

        return all;
    }

    /// <summary>Whether the session still stands (an endpoint such as sign-out may have ended it).</summary>
    public async Task<bool> IsSignedInAsync() =>
        User is null || (await Browser.GetAsync("/account/security")).StatusCode == HttpStatusCode.OK;

    /// <summary>
    /// Signs in again with a recovery code (no wait for the next authenticator step) after resetting the lockout the
    /// matrix's wrong passwords ran up; the account is the attacker's own, not the victim's.
    /// </summary>
    public async Task SignInAgainAsync(KastellHost host)
    {
        var user = User ?? throw new InvalidOperationException("The anonymous visitor has no session to restore.");
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<KastellUser>>();
            var account = await users.FindByIdAsync(UserId!.Value.ToString()) ?? throw new InvalidOperationException("The attacker's account is gone.");
            await users.ResetAccessFailedCountAsync(account);
            await users.SetLockoutEndDateAsync(account, null);
        }

        await Journeys.SignInWithRecoveryCodeAsync(Browser, user, _recoveryCodesUsed++);
        await RefreshTokenAsync();
    }

    public async Task RefreshTokenAsync()
    {
        await Browser.GetAsync(User is null ? "/account/sign-in" : "/");
        Token = Browser.AnyAntiforgeryToken();
    }

    public void Dispose() => Browser.Dispose();

    public override string ToString() => Name;

    private static async Task<Attacker> SignUpAsync(KastellHost host, string name, bool writesOnly = false)
    {
        var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        return new Attacker(name, browser, user, await Tenants.UserIdAsync(host, user.Email), writesOnly);
    }

    private static async Task AssertReachesAsync(Attacker attacker, string path)
    {
        var response = await attacker.Browser.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Arranging the matrix: the {attacker.Name} should reach {path} before the revocation, got {(int)response.StatusCode}.");
    }
}
