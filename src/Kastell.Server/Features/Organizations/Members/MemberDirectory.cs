using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Organizations.Members;

internal sealed record MemberRow(Guid UserId, string DisplayName, string Email, OrganizationRole Role, DateTimeOffset JoinedAt);

internal sealed record InvitationRow(Guid Id, string Email, OrganizationRole Role, DateTimeOffset ExpiresAt);

/// <summary>Members and pending invitations of the request's organization (tenant-filtered).</summary>
internal sealed class MemberDirectory(KastellDbContext db, TimeProvider time)
{
    public async Task<IReadOnlyList<MemberRow>> MembersAsync(CancellationToken cancellationToken = default) =>
        await db.OrganizationMembers.AsNoTracking()
            .Join(db.Set<KastellUser>(), m => m.UserId, u => u.Id, (m, u) => new { u.Id, u.DisplayName, u.Email, m.Role, m.JoinedAt })
            .OrderBy(m => m.DisplayName)
            .Select(m => new MemberRow(m.Id, m.DisplayName, m.Email ?? "", m.Role, m.JoinedAt))
            .ToListAsync(cancellationToken);

    /// <summary>Up to <paramref name="take"/> members ordered by user id, strictly after <paramref name="after"/> (the API's stable order).</summary>
    public async Task<IReadOnlyList<MemberRow>> PageAsync(Guid? after, int take, CancellationToken cancellationToken = default) =>
        await db.OrganizationMembers.AsNoTracking()
            .Where(m => after == null || m.UserId.CompareTo(after.Value) > 0)
            .Join(db.Set<KastellUser>(), m => m.UserId, u => u.Id, (m, u) => new { u.Id, u.DisplayName, u.Email, m.Role, m.JoinedAt })
            .OrderBy(m => m.Id)
            .Take(take)
            .Select(m => new MemberRow(m.Id, m.DisplayName, m.Email ?? "", m.Role, m.JoinedAt))
            .ToListAsync(cancellationToken);

    public async Task<IReadOnlyList<InvitationRow>> PendingInvitationsAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var rows = await db.Invitations.AsNoTracking()
            .Where(i => i.AcceptedAt == null && i.RevokedAt == null)
            .Select(i => new InvitationRow(i.Id, i.Email, i.Role, i.ExpiresAt))
            .ToListAsync(cancellationToken);
        // An organization has few open invitations; expiry is checked here against the injected clock.
        return [.. rows.Where(r => r.ExpiresAt > now).OrderBy(r => r.Email, StringComparer.OrdinalIgnoreCase)];
    }
}
