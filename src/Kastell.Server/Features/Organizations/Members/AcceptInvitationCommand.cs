using Kastell.Server.Features.Accounts;
using Kastell.Server.Features.Accounts.Passwords;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Organizations.Members;

internal enum InvitationState
{
    Pending,
    Invalid,
    Expired,
    Revoked,
    Used,
}

internal sealed record InvitationView(InvitationState State, string OrganizationName, string OrganizationSlug, string Email, OrganizationRole Role)
{
    public static readonly InvitationView Invalid = new(InvitationState.Invalid, "", "", "", OrganizationRole.Member);
}

internal enum AcceptOutcome
{
    Joined,
    AlreadyMember,
    NotPending,
    WrongAccount,
    AccountExists,
    PasswordRejected,
}

internal sealed record AcceptResult(AcceptOutcome Outcome, IReadOnlyList<IdentityError> Errors)
{
    public static AcceptResult Of(AcceptOutcome outcome) => new(outcome, []);
}

/// <summary>
/// Accepting an invitation from its link: a signed-in user whose address matches joins with the invited role; a new
/// person creates an account through it (no organization of their own) and then enrols MFA like everyone else.
/// The token proves control of the mailbox, so the address counts as confirmed.
/// </summary>
internal sealed class AcceptInvitationCommand(
    KastellDbContext db,
    UserManager<KastellUser> users,
    PasswordHistoryRecorder history,
    Tenant tenant,
    Memberships memberships,
    TimeProvider time,
    IAuditLog audit)
{
    private Invitation? _invitation;
    private Organization? _organization;

    public async Task<InvitationView> FindAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (InvitationTokens.OrganizationOf(token) is not { } organizationId)
        {
            return InvitationView.Invalid;
        }

        _organization = await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == organizationId, cancellationToken);
        if (_organization is null)
        {
            return InvitationView.Invalid;
        }

        // The invitation is tenant-owned: enter the tenant the token names, then look it up by hash within it.
        tenant.Enter(organizationId);
        var hash = InvitationTokens.Hash(token!);
        _invitation = await db.Invitations.SingleOrDefaultAsync(i => i.TokenHash == hash, cancellationToken);
        if (_invitation is null)
        {
            return InvitationView.Invalid;
        }

        var state = _invitation.AcceptedAt is not null ? InvitationState.Used
            : _invitation.RevokedAt is not null ? InvitationState.Revoked
            : _invitation.ExpiresAt <= time.GetUtcNow() ? InvitationState.Expired
            : InvitationState.Pending;
        return new InvitationView(state, _organization.Name, _organization.Slug, _invitation.Email, _invitation.Role);
    }

    /// <summary>The signed-in user joins. Call <see cref="FindAsync"/> first.</summary>
    public async Task<AcceptResult> AcceptAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        if (_invitation is null || !_invitation.IsPending(time.GetUtcNow()))
        {
            return AcceptResult.Of(AcceptOutcome.NotPending);
        }

        var user = await users.FindByIdAsync(userId.ToString());
        if (user is null || !string.Equals(user.NormalizedEmail, _invitation.NormalizedEmail, StringComparison.Ordinal))
        {
            await audit.RecordNowAsync(AuditDenials.Permission(userId, "invitation.accept", AuditTarget.Invitation(_invitation.Id), "invited-address-differs"), cancellationToken);
            return AcceptResult.Of(AcceptOutcome.WrongAccount);
        }

        if (await db.OrganizationMembers.AnyAsync(m => m.UserId == userId, cancellationToken))
        {
            MarkAccepted(userId);
            RecordAccepted(userId, joined: false);
            await db.SaveChangesAsync(cancellationToken);
            return AcceptResult.Of(AcceptOutcome.AlreadyMember);
        }

        await AddMembershipAsync(userId, cancellationToken);
        MarkAccepted(userId);
        RecordAccepted(userId, joined: true);
        user.EmailConfirmed = true;
        await db.SaveChangesAsync(cancellationToken);
        return AcceptResult.Of(AcceptOutcome.Joined);
    }

    /// <summary>Creates the invited person's account and membership in one transaction. Call <see cref="FindAsync"/> first.</summary>
    public async Task<(AcceptResult Result, KastellUser? User)> SignUpAsync(string displayName, string password, string? culture, CancellationToken cancellationToken = default)
    {
        if (_invitation is null || !_invitation.IsPending(time.GetUtcNow()))
        {
            return (AcceptResult.Of(AcceptOutcome.NotPending), null);
        }

        if (await users.FindByEmailAsync(_invitation.Email) is not null)
        {
            return (AcceptResult.Of(AcceptOutcome.AccountExists), null);
        }

        var user = new KastellUser
        {
            Id = Guid.CreateVersion7(),
            UserName = _invitation.Email,
            Email = _invitation.Email,
            EmailConfirmed = true,
            DisplayName = displayName.Trim(),
            PreferredCulture = culture,
            CreatedAt = time.GetUtcNow(),
        };

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var created = await users.CreateAsync(user);
        if (!created.Succeeded)
        {
            return (new AcceptResult(AcceptOutcome.PasswordRejected, [.. created.Errors]), null);
        }

        // Membership first, password second: the validator then applies this organization's password policy.
        await AddMembershipAsync(user.Id, cancellationToken);
        MarkAccepted(user.Id);
        await db.SaveChangesAsync(cancellationToken);
        var withPassword = await users.AddPasswordAsync(user, password);
        if (!withPassword.Succeeded)
        {
            return (new AcceptResult(AcceptOutcome.PasswordRejected, [.. withPassword.Errors]), null);
        }

        history.Record(user);
        audit.Record(new(AccountEvents.AccountCreated, AuditActor.User(user.Id), AuditTarget.User(user.Id), Details: new Dictionary<string, string> { ["via"] = "invitation" }));
        RecordAccepted(user.Id, joined: true);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (AcceptResult.Of(AcceptOutcome.Joined), user);
    }

    private Task AddMembershipAsync(Guid userId, CancellationToken cancellationToken) =>
        memberships.AddToOrganizationAsync(_invitation!.OrganizationId, userId, _invitation.Role, cancellationToken);

    private void RecordAccepted(Guid userId, bool joined)
    {
        var actor = AuditActor.User(userId);
        audit.Record(new(OrganizationEvents.InvitationAccepted, actor, AuditTarget.Invitation(_invitation!.Id)));
        if (joined)
        {
            audit.Record(new(OrganizationEvents.MemberAdded, actor, AuditTarget.User(userId),
                Details: new Dictionary<string, string> { ["role"] = _invitation.Role.ToString(), ["invitedBy"] = _invitation.InvitedByUserId.ToString() }));
        }
    }

    private void MarkAccepted(Guid userId)
    {
        _invitation!.AcceptedAt = time.GetUtcNow();
        _invitation.AcceptedByUserId = userId;
    }
}
