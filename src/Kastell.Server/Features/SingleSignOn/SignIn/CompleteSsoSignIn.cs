using System.Security.Claims;
using Kastell.Server.Features.Accounts;
using Kastell.Server.Features.Domains.Discovery;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Email;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.SingleSignOn.SignIn;

/// <summary>Where the browser goes after a sign-in through a connection.</summary>
internal enum SsoSignInOutcome
{
    /// <summary>Signed in; the provider's authentication counts as multi-factor for the organization.</summary>
    SignedIn,

    /// <summary>Kastell's own second factor is asked next.</summary>
    RequiresSecondFactor,

    /// <summary>Signed in without a second factor yet: the session may only enrol one (the MFA gate).</summary>
    SignedInNeedsEnrolment,

    Refused,
}

/// <summary>
/// Turns a validated ID token (the handler's external principal) into a Kastell session (ADR 0020). The person is
/// found by their identity at this connection (<c>sub</c>, stored as an external login); on the first sign-in the
/// account is created just in time — from a verified <c>email</c> in a domain the organization verified only — and made
/// a member with the connection's default role (row and tuple, <see cref="Memberships"/>). An existing account with
/// that address is never linked (an organization's provider must not take over an account). A person who is no longer
/// a member is refused. The organization's MFA mapping decides whether the
/// provider's <c>amr</c>/<c>acr</c> counts as Kastell's mandatory second factor; otherwise Kastell's own is asked
/// (or enrolled). Every outcome is audited on the organization's chain.
/// </summary>
internal sealed class CompleteSsoSignIn(
    KastellDbContext db,
    Tenant tenant,
    UserManager<KastellUser> users,
    SignInManager<KastellUser> signIn,
    Memberships memberships,
    DomainOwnerLookup domains,
    IAuditLog audit,
    TimeProvider time)
{
    public static string LoginProvider(Guid connectionId) => $"sso:{connectionId:N}";

    /// <summary>Why the last run was refused (an audit reason), for the message the person sees.</summary>
    public string? RefusalReason { get; private set; }

    public async Task<SsoSignInOutcome> RunAsync(ClaimsPrincipal external, Guid organizationId, Guid connectionId, CancellationToken cancellationToken)
    {
        tenant.Enter(organizationId);
        var connection = await db.SsoConnections.AsNoTracking().SingleOrDefaultAsync(c => c.Id == connectionId, cancellationToken);
        if (connection is null || !connection.Enabled)
        {
            return await RefuseAsync(connectionId, "connection-unavailable", null, cancellationToken);
        }

        var subject = external.FindFirstValue("sub");
        if (string.IsNullOrEmpty(subject) || subject.Length > 255)
        {
            return await RefuseAsync(connectionId, "sub-missing", null, cancellationToken);
        }

        var provider = LoginProvider(connectionId);
        var user = await users.FindByLoginAsync(provider, subject);
        var how = "returning";
        if (user is null)
        {
            if (!MailAddresses.TryParse(external.FindFirstValue("email"), out var email)
                || !string.Equals(external.FindFirstValue("email_verified"), "true", StringComparison.OrdinalIgnoreCase))
            {
                return await RefuseAsync(connectionId, "email-not-verified", null, cancellationToken);
            }

            // Accounts are created only for addresses in a domain this organization verified (ADR 0021): otherwise an
            // admin's provider could create — squat — an account for anyone's address. Asked before whether an account
            // exists, so a provider cannot probe for accounts outside the organization's own domains either.
            if (await domains.FindAsync(email, cancellationToken) is not { } owner || owner.OrganizationId != connection.OrganizationId)
            {
                return await RefuseAsync(connectionId, "domain-not-verified", null, cancellationToken);
            }

            // Never linked by e-mail: an account belongs to many organizations, and an admin of any one of them could
            // otherwise point their own provider at a colleague's (or an owner's) address, with its MFA mapping, and
            // sign in as them everywhere. Linking an existing account waits for a flow started from that account's own
            // session (next slice). The refusal names the account only to an organization it belongs to.
            var existing = await users.FindByEmailAsync(email);
            if (existing is not null)
            {
                return await RefuseAsync(connectionId, "account-exists", await IsMemberAsync(existing.Id, cancellationToken) ? existing.Id : null, cancellationToken);
            }
            else
            {
                user = await ProvisionAsync(connection, subject, email, external.FindFirstValue("name"), cancellationToken);
                if (user is null)
                {
                    return await RefuseAsync(connectionId, "account-not-created", null, cancellationToken);
                }

                how = "provisioned";
            }
        }
        else if (!await IsMemberAsync(user.Id, cancellationToken))
        {
            return await RefuseAsync(connectionId, "not-a-member", user.Id, cancellationToken);
        }

        var mfaByProvider = external.FindAll("amr").Any(c => connection.MfaAmr.Contains(c.Value))
            || (external.FindFirstValue("acr") is { } acr && connection.MfaAcr.Contains(acr));
        SsoSignInOutcome outcome;
        if (mfaByProvider)
        {
            if (!await signIn.CanSignInAsync(user) || await users.IsLockedOutAsync(user))
            {
                return await RefuseAsync(connectionId, "account-not-allowed", user.Id, cancellationToken);
            }

            await signIn.SignInWithClaimsAsync(user, isPersistent: false, [new Claim("amr", "mfa"), new Claim("amr", "ext"), new Claim(ClaimTypes.AuthenticationMethod, provider)]);
            outcome = SsoSignInOutcome.SignedIn;
        }
        else
        {
            var result = await signIn.ExternalLoginSignInAsync(provider, subject, isPersistent: false, bypassTwoFactor: false);
            outcome = result.RequiresTwoFactor ? SsoSignInOutcome.RequiresSecondFactor
                : result.Succeeded ? SsoSignInOutcome.SignedInNeedsEnrolment
                : SsoSignInOutcome.Refused;
            if (outcome == SsoSignInOutcome.Refused)
            {
                return await RefuseAsync(connectionId, "account-not-allowed", user.Id, cancellationToken);
            }
        }

        await audit.RecordNowAsync(new(SingleSignOnEvents.SsoSignInSucceeded, AuditActor.User(user.Id), AuditTarget.User(user.Id),
            Details: new Dictionary<string, string>
            {
                ["connection"] = connectionId.ToString(),
                ["account"] = how,
                // What the provider asserted about the authentication: the basis of the MFA decision, for investigators.
                ["amr"] = string.Join(' ', external.FindAll("amr").Select(c => c.Value)),
                ["acr"] = external.FindFirstValue("acr") ?? "",
                ["mfa"] = outcome switch
                {
                    SsoSignInOutcome.SignedIn => "provider",
                    SsoSignInOutcome.RequiresSecondFactor => "kastell-second-factor-next",
                    _ => "enrolment-required",
                },
            }), cancellationToken);
        return outcome;
    }

    private async Task<KastellUser?> ProvisionAsync(SsoConnection connection, string subject, string email, string? name, CancellationToken cancellationToken)
    {
        var displayName = string.IsNullOrWhiteSpace(name) ? email : name.Trim();
        var user = new KastellUser
        {
            Id = Guid.CreateVersion7(),
            UserName = email,
            Email = email,
            // The provider vouched for the address (email_verified) and the organization vouched for the provider.
            EmailConfirmed = true,
            DisplayName = displayName.Length > 100 ? displayName[..100] : displayName,
            CreatedAt = time.GetUtcNow(),
        };

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (!(await users.CreateAsync(user)).Succeeded)
        {
            return null;
        }

        await memberships.AddToOrganizationAsync(connection.OrganizationId, user.Id, connection.DefaultRole, cancellationToken);
        audit.Record(new(AccountEvents.AccountCreated, AuditActor.User(user.Id), AuditTarget.User(user.Id), Details: new Dictionary<string, string> { ["via"] = "sso" }));
        audit.Record(new(SingleSignOnEvents.SsoAccountProvisioned, AuditActor.System("sso"), AuditTarget.User(user.Id), Details: new Dictionary<string, string>
        {
            ["connection"] = connection.Id.ToString(),
            ["role"] = connection.DefaultRole.ToString(),
        }));
        await db.SaveChangesAsync(cancellationToken);
        if (!(await users.AddLoginAsync(user, new UserLoginInfo(LoginProvider(connection.Id), subject, connection.Name))).Succeeded)
        {
            return null;
        }

        await transaction.CommitAsync(cancellationToken);
        return user;
    }

    private Task<bool> IsMemberAsync(Guid userId, CancellationToken cancellationToken) =>
        db.OrganizationMembers.AnyAsync(m => m.UserId == userId, cancellationToken);

    private async Task<SsoSignInOutcome> RefuseAsync(Guid connectionId, string reason, Guid? userId, CancellationToken cancellationToken)
    {
        RefusalReason = reason;
        await audit.RecordNowAsync(SsoRefusals.Refused(connectionId, reason, userId), cancellationToken);
        return SsoSignInOutcome.Refused;
    }
}
