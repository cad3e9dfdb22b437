using Kastell.Server.Platform.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.Accounts;

/// <summary>
/// Identity's user manager without Identity's lockout: five failures locking an account for everyone, its owner
/// included, let anyone who knows an address keep that person out. Guessing is bounded by
/// <see cref="SignIn.SignInThrottle"/> instead, which spares the owner's known devices.
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
    ILogger<UserManager<KastellUser>> logger)
    : UserManager<KastellUser>(store, optionsAccessor, passwordHasher, userValidators, passwordValidators, keyNormalizer, errors, services, logger)
{
    /// <summary>Off: sign-in never counts failures towards a lockout nor refuses a "locked" account.</summary>
    public override bool SupportsUserLockout => false;

    /// <summary>No account is ever locked out (a lockout end left by older versions is ignored).</summary>
    public override Task<bool> IsLockedOutAsync(KastellUser user) => Task.FromResult(false);

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
