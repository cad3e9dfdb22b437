using Kastell.Server.Features.Accounts.Passwords;
using Kastell.Server.Features.Accounts.Sessions;
using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Accounts;

/// <summary>The tables this feature owns, on the shared data context; other features call its commands instead.</summary>
internal static class AccountTables
{
    extension(KastellDbContext db)
    {
        public DbSet<UserSession> UserSessions => db.Set<UserSession>();

        public DbSet<PasswordHistoryEntry> PasswordHistory => db.Set<PasswordHistoryEntry>();

        public DbSet<SignIn.SignInThrottleBucket> SignInThrottles => db.Set<SignIn.SignInThrottleBucket>();
    }
}
