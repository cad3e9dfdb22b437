using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Accounts.Sessions;

public sealed record SessionSummary(string Handle, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, string? UserAgent, string? IpAddress, bool IsCurrent);

/// <summary>
/// The signed-in user's own sessions. Pages refer to a session by a handle (a hash of its id), never by the id
/// itself, which is the secret that the session cookie protects.
/// </summary>
internal sealed class SessionList(KastellDbContext db, IAuditLog audit)
{
    /// <summary>The claim the cookie handler puts on a principal whose ticket lives in the session store.</summary>
    public const string SessionIdClaim = "Microsoft.AspNetCore.Authentication.Cookies-SessionId";

    public async Task<IReadOnlyList<SessionSummary>> ForAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        var userId = UserId(user);
        var current = user.FindFirstValue(SessionIdClaim);
        var sessions = await db.UserSessions.AsNoTracking().Where(s => s.UserId == userId)
            .Select(s => new { s.Id, s.CreatedAt, s.LastSeenAt, s.UserAgent, s.IpAddress })
            .ToListAsync(ct);
        return [.. sessions
            .OrderByDescending(s => s.LastSeenAt)
            .Select(s => new SessionSummary(Handle(s.Id), s.CreatedAt, s.LastSeenAt, s.UserAgent, s.IpAddress, s.Id == current))];
    }

    /// <summary>Ends one of the user's own sessions; a handle of someone else's session matches nothing.</summary>
    public async Task<bool> RevokeAsync(ClaimsPrincipal user, string handle, CancellationToken ct = default)
    {
        var userId = UserId(user);
        var ids = await db.UserSessions.Where(s => s.UserId == userId).Select(s => s.Id).ToListAsync(ct);
        var id = ids.FirstOrDefault(i => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Handle(i)), Encoding.ASCII.GetBytes(handle)));
        if (id is null)
        {
            return false;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.UserSessions.Where(s => s.Id == id && s.UserId == userId).ExecuteDeleteAsync(ct);
        await audit.RecordNowAsync(new(AccountEvents.SessionRevoked, AuditActor.User(userId), AuditTarget.Session(Handle(id))), ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    /// <summary>"Sign out everywhere else".</summary>
    public async Task<int> RevokeOthersAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        var userId = UserId(user);
        var current = user.FindFirstValue(SessionIdClaim) ?? "";
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var count = await db.UserSessions.Where(s => s.UserId == userId && s.Id != current).ExecuteDeleteAsync(ct);
        await audit.RecordNowAsync(new(AccountEvents.OtherSessionsRevoked, AuditActor.User(userId), AuditTarget.User(userId),
            Details: new Dictionary<string, string> { ["count"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture) }), ct);
        await transaction.CommitAsync(ct);
        return count;
    }

    internal static string Handle(string sessionId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sessionId)))[..20];

    private static Guid UserId(ClaimsPrincipal user) =>
        Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("Not signed in."));
}
