using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;

namespace Kastell.Server.Features.Accounts.Passwords;

/// <summary>Remembers each password hash a user sets, so the reuse rule can refuse it later.</summary>
internal sealed class PasswordHistoryRecorder(KastellDbContext db, TimeProvider time)
{
    /// <summary>Adds the user's current hash; the caller saves the context in the same transaction as the change.</summary>
    public void Record(KastellUser user)
    {
        if (user.PasswordHash is { } hash)
        {
            db.PasswordHistory.Add(new PasswordHistoryEntry { UserId = user.Id, PasswordHash = hash, ChangedAt = time.GetUtcNow() });
        }
    }
}
