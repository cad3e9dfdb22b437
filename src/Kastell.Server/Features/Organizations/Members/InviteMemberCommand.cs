using Kastell.Server.Features.Accounts;
using Kastell.Server.Features.Accounts.Email;
using Kastell.Server.Platform;
using Kastell.Server.Platform.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.Organizations.Members;

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
    TenantAccess access,
    UserManager<KastellUser> users,
    AccountMails mails,
    IOptions<KastellOptions> options,
    TimeProvider time)
{
    public async Task<InviteOutcome> ExecuteAsync(KastellUser caller, string email, OrganizationRole role, CancellationToken cancellationToken = default)
    {
        var organization = access.RequireOrganization();
        if (!access.CanAdministerOrganization || !Enum.IsDefined(role)
            || (role == OrganizationRole.Owner && access.OrganizationRole != OrganizationRole.Owner))
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
        await db.Invitations
            .Where(i => i.NormalizedEmail == normalized && i.AcceptedAt == null && i.RevokedAt == null)
            .ExecuteUpdateAsync(i => i.SetProperty(x => x.RevokedAt, now), cancellationToken);

        var token = InvitationTokens.Create(organization.Id);
        var lifetime = options.Value.Email.InvitationLifetime;
        db.Invitations.Add(new Invitation
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
        });
        await db.SaveChangesAsync(cancellationToken);
        mails.Invitation(email, existingUser?.PreferredCulture ?? caller.PreferredCulture, organization.Name, caller.DisplayName,
            "Role" + role, token, Math.Max(1, (int)Math.Round(lifetime.TotalDays)));
        return InviteOutcome.Sent;
    }
}
