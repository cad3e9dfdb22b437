using Microsoft.AspNetCore.Identity;

namespace Kastell.Server.Features.Accounts;

/// <summary>
/// Proof of presence before a sensitive action (changing the password or second factor, deleting things): the
/// password and a fresh authenticator code, entered on the form of the action itself. A session cookie alone —
/// for instance one stolen from an unlocked machine — is not enough. Failures count towards the account lockout.
/// </summary>
internal sealed class Reauthentication(UserManager<KastellUser> users, SignInManager<KastellUser> signIn)
{
    public async Task<bool> VerifyAsync(KastellUser user, string password, string code)
    {
        var passwordCheck = await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
        if (!passwordCheck.Succeeded)
        {
            return false;
        }

        code = new string(code.Where(char.IsAsciiDigit).ToArray());
        if (await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code))
        {
            return true;
        }

        await users.AccessFailedAsync(user);
        return false;
    }
}
