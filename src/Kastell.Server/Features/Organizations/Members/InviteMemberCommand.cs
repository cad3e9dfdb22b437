using Kastell.Server.Features.Accounts.Email;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Email;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.Organizations.Members;

/// <summary>
/// Who invites, as the invitation records and its mail names them: a person (their id, name and language), or an API
/// token's service account (its id, and the organization's name in the mail).
/// </summary>
internal sealed record Inviter(Guid Id, string Name, string? Culture, AuditActor Actor)
{
    public static Inviter Of(KastellUser user) => new(user.Id, user.DisplayName, user.PreferredCulture, AuditActor.User(user.Id));
}

internal enum InviteOutcome
{
    Sent,
    Forbidden,
    InvalidEmail,
    AlreadyMember,
}

/// <summary>
/// Invites an address into the request's organization. Owners and admins only; only an owner may invite another
/// owner. A new invitation to the same address replaces a pending one.
/// </summary>
internal sealed class InviteMemberCommand(
    KastellDbContext db,
    Tenant tenant,
    Permissions permissions,
    UserManager<KastellUser> users,
    AccountMails mails,
    IOptions<EmailOptions> options,
    TimeProvider time,
    IAuditLog audit)
{
    public async Task<InviteOutcome> ExecuteAsync(Inviter caller, string email, OrganizationRole role, CancellationToken cancellationToken = default)
    {
        var organization = tenant.RequireOrganization();
        // Owners alone make owners; whoever manages members invites everyone else.
        if (!Enum.IsDefined(role)
            || !await permissions.RequireAsync("organization", organization.Id, role == OrganizationRole.Owner ? "can_manage_owners" : "can_manage_members", auditAllow: true, cancellationToken: cancellationToken))
        {
            return InviteOutcome.Forbidden;
        }

        email = email.Trim();
        if (email.Length is 0 or > 254 || !new System.ComponentModel.DataAnnotations.EmailAddressAttribute().IsValid(email))
        {
            return InviteOutcome.InvalidEmail;
        }

        var normalized = users.NormalizeEmail(email);
        var existingUser = await users.FindByEmailAsync(email);
        if (existingUser is not null && await db.OrganizationMembers.AnyAsync(m => m.UserId == existingUser.Id, cancellationToken))
        {
            return InviteOutcome.AlreadyMember;
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
        await transaction.CommitAsync(cancellationToken);
        mails.Invitation(email, existingUser?.PreferredCulture ?? caller.Culture, organization.Name, caller.Name,
            "Role" + role, token, Math.Max(1, (int)Math.Round(lifetime.TotalDays)));
        return InviteOutcome.Sent;
    }
}
