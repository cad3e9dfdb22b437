using Kastell.Server.Platform.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.Accounts;

/// <summary>
/// Identity's user manager with exponential lockout backoff: every lockout in a row lasts twice as long as the one
/// before (5 min, 10 min, 20 min, ... capped at 24 h) until a successful sign-in resets the streak.
/// </summary>
internal sealed class KastellUserManager(
    IUserStore<KastellUser> store,
    IOptions<IdentityOptions> optionsAccessor,
    IPasswordHasher<KastellUser> passwordHasher,
    IEnumerable<IUserValidator<KastellUser>> userValidators,
    IEnumerable<IPasswordValidator<KastellUser>> passwordValidators,
    ILookupNormalizer keyNormalizer,
    IdentityErrorDescriber errors,
    IServiceProvider services,
    ILogger<UserManager<KastellUser>> logger,
    TimeProvider time)
    : UserManager<KastellUser>(store, optionsAccessor, passwordHasher, userValidators, passwordValidators, keyNormalizer, errors, services, logger)
{
    internal static readonly TimeSpan MaximumLockout = TimeSpan.FromHours(24);

    public override async Task<IdentityResult> AccessFailedAsync(KastellUser user)
    {
        var result = await base.AccessFailedAsync(user);
        if (result.Succeeded && await IsLockedOutAsync(user))
        {
            user.ConsecutiveLockouts++;
            var factor = Math.Pow(2, Math.Min(user.ConsecutiveLockouts - 1, 20));
            var duration = TimeSpan.FromTicks((long)Math.Min(Options.Lockout.DefaultLockoutTimeSpan.Ticks * factor, MaximumLockout.Ticks));
            await SetLockoutEndDateAsync(user, time.GetUtcNow() + duration);
        }

        return result;
    }

    public override async Task<IdentityResult> ResetAccessFailedCountAsync(KastellUser user)
    {
        user.ConsecutiveLockouts = 0;
        return await base.ResetAccessFailedCountAsync(user);
    }

    /// <summary>
    /// Sets a new password for a user whose identity the caller has already proven (see <see cref="Reauthentication"/>).
    /// Unlike <see cref="UserManager{TUser}.ChangePasswordAsync"/> it does not hash the current password a second
    /// time; the validators still run, and the security stamp changes as with every password change.
    /// </summary>
    public async Task<IdentityResult> ReplaceVerifiedPasswordAsync(KastellUser user, string newPassword)
    {
        var result = await UpdatePasswordHash(user, newPassword, validatePassword: true);
        return result.Succeeded ? await UpdateUserAsync(user) : result;
    }
}
