using Microsoft.AspNetCore.Identity;

namespace Kastell.Server.Features.Accounts;

internal enum SignInOutcome
{
    /// <summary>Password accepted, no second factor enrolled yet: the session may only enrol one.</summary>
    SignedInNeedsEnrolment,
    RequiresSecondFactor,
    Failed,
}

/// <summary>
/// Password sign-in that gives attackers nothing to learn: unknown accounts, wrong passwords and lockouts produce
/// the same answer, and an unknown account still pays for one password hash so timing does not tell them apart.
/// </summary>
internal sealed class SignInCommand(UserManager<KastellUser> users, SignInManager<KastellUser> signIn, IPasswordHasher<KastellUser> hasher)
{
    private static string? _dummyHash;

    public async Task<SignInOutcome> PasswordAsync(string email, string password)
    {
        var user = await users.FindByEmailAsync(email.Trim());
        if (user is null)
        {
            var dummy = new KastellUser();
            _dummyHash ??= hasher.HashPassword(dummy, Guid.NewGuid().ToString());
            hasher.VerifyHashedPassword(dummy, _dummyHash, password);
            return SignInOutcome.Failed;
        }

        var result = await signIn.PasswordSignInAsync(user, password, isPersistent: false, lockoutOnFailure: true);
        if (result.RequiresTwoFactor)
        {
            return SignInOutcome.RequiresSecondFactor;
        }

        return result.Succeeded ? SignInOutcome.SignedInNeedsEnrolment : SignInOutcome.Failed;
    }
}
