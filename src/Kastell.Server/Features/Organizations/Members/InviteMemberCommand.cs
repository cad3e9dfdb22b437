using Kastell.Server.Features.Accounts.Email;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Email;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Security;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.Organizations.Members;

/// <summary>
/// Who invites, as the invitation records and its mail names them: a person (their id, name and language), or an API
/// token's service account (its id, and the organization's name in the mail). The mail goes out in the inviter's name,
/// attributed to <see cref="ConfirmedEmail"/>: an inviter without a confirmed address — a person who has not confirmed
/// theirs, or a service account, which has none — cannot invite (a robot sending mail in nobody's name is the spam
/// relay the rule closes).
/// </summary>
internal sealed record Inviter(Guid Id, string Name, string? Culture, AuditActor Actor, string? ConfirmedEmail = null)
{
    public static Inviter Of(KastellUser user) =>
        new(user.Id, user.DisplayName, user.PreferredCulture, AuditActor.User(user.Id), user.EmailConfirmed ? user.Email : null);
}

internal enum InviteOutcome
{
    Sent,
    Forbidden,
    InvalidEmail,
    AlreadyMember,

    /// <summary>The inviter's own address is unconfirmed: invitations go out in their name, so it must be proven first.</summary>
    UnconfirmedInviter,

    /// <summary>The inviter's or the organization's hourly budget is spent (<see cref="InviteResult.RetryAfter"/>).</summary>
    TooMany,
}

internal sealed record InviteResult(InviteOutcome Outcome, TimeSpan RetryAfter = default)
{
    public static implicit operator InviteResult(InviteOutcome outcome) => new(outcome);
}

/// <summary>
/// Invites an address into the request's organization. Owners and admins only; only an owner may invite another
/// owner. A new invitation to the same address replaces a pending one. The mail goes to an address of the inviter's
/// choosing in the inviter's name, so the inviter's own address must be confirmed, and each inviter (across their
/// organizations) and each organization has an hourly budget (<see cref="InvitationOptions"/>).
/// </summary>
internal sealed class InviteMemberCommand(
    KastellDbContext db,
    Tenant tenant,
    Permissions permissions,
    UserManager<KastellUser> users,
    AccountMails mails,
    IOptions<EmailOptions> options,
    IOptions<InvitationOptions> limits,
    RateBudgets budgets,
    TimeProvider time,
    IAuditLog audit)
{
    public async Task<InviteResult> ExecuteAsync(Inviter caller, string email, OrganizationRole role, CancellationToken cancellationToken = default)
    {
        var organization = tenant.RequireOrganization();
        // Owners alone make owners; whoever manages members invites everyone else.
        if (!Enum.IsDefined(role)
            || !await permissions.RequireAsync("organization", organization.Id, role == OrganizationRole.Owner ? "can_manage_owners" : "can_manage_members", auditAllow: true, cancellationToken: cancellationToken))
        {
            return InviteOutcome.Forbidden;
        }

        // Read by the mail library's own strict parser, as the form did: what is stored is what will be sent to.
        if (!MailAddresses.TryParse(email, out var address))
        {
            return InviteOutcome.InvalidEmail;
        }

        email = address;

        if (caller.ConfirmedEmail is not { } inviterEmail)
        {
            return InviteOutcome.UnconfirmedInviter;
        }

        var normalized = users.NormalizeEmail(email);
        var existingUser = await users.FindByEmailAsync(email);
        if (existingUser is not null && await db.OrganizationMembers.AnyAsync(m => m.UserId == existingUser.Id, cancellationToken))
        {
            return InviteOutcome.AlreadyMember;
        }

        if (await TakeBudgetAsync(caller, organization.Id, cancellationToken) is { Granted: false } refused)
        {
            await audit.RecordNowAsync(new(OrganizationEvents.InvitationThrottled, caller.Actor, AuditTarget.Organization(organization.Id),
                AuditOutcome.Denied, new Dictionary<string, string>
                {
                    ["retryAfterSeconds"] = ((int)Math.Ceiling(refused.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture),
                }), cancellationToken);
            return new InviteResult(InviteOutcome.TooMany, refused.RetryAfter);
        }

        var now = time.GetUtcNow();
        // Replacing the pending invitation and sending the new one land together, with their audit event.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var replaced = await db.Invitations
            .Where(i => i.NormalizedEmail == normalized && i.AcceptedAt == null && i.RevokedAt == null)
            .ExecuteUpdateAsync(i => i.SetProperty(x => x.RevokedAt, now), cancellationToken);

        var token = InvitationTokens.Create(organization.Id);
        var lifetime = options.Value.InvitationLifetime;
        var invitation = new Invitation
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = organization.Id,
            Email = email,
            NormalizedEmail = normalized,
            Role = role,
            TokenHash = InvitationTokens.Hash(token),
            InvitedByUserId = caller.Id,
            CreatedAt = now,
            ExpiresAt = now + lifetime,
        };
        db.Invitations.Add(invitation);
        audit.Record(new(OrganizationEvents.MemberInvited, caller.Actor, AuditTarget.Invitation(invitation.Id),
            Details: new Dictionary<string, string>
            {
                ["email"] = email,
                ["role"] = role.ToString(),
                ["replaced"] = replaced.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }));
        await db.SaveChangesAsync(cancellationToken);
        // The mail is queued in the same transaction: no invitation without its mail, no mail without its invitation.
        await mails.InvitationAsync(email, existingUser?.PreferredCulture ?? caller.Culture, organization.Name, caller.Name, inviterEmail,
            "Role" + role, token, Math.Max(1, (int)Math.Round(lifetime.TotalDays)), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return InviteOutcome.Sent;
    }

    /// <summary>One use of the inviter's budget and one of the organization's; the first is given back if the second is spent.</summary>
    private async Task<RateDecision> TakeBudgetAsync(Inviter caller, Guid organizationId, CancellationToken cancellationToken)
    {
        var (perInviter, perOrganization) = (limits.Value.PerInviterPerHour, limits.Value.PerOrganizationPerHour);
        var inviterKey = "invite:user:" + caller.Id.ToString("N");
        var inviter = await budgets.TryTakeAsync(inviterKey, perInviter, cancellationToken);
        if (!inviter.Granted)
        {
            return inviter;
        }

        var organization = await budgets.TryTakeAsync("invite:organization:" + organizationId.ToString("N"), perOrganization, cancellationToken);
        if (!organization.Granted)
        {
            await budgets.RefundAsync(inviterKey, perInviter, cancellationToken);
        }

        return organization;
    }
}
