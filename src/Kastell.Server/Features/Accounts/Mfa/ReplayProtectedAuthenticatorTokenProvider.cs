using System.Globalization;
using Kastell.Server.Platform.Identity;
using Microsoft.AspNetCore.Identity;
using OtpNet;

namespace Kastell.Server.Features.Accounts.Mfa;

/// <summary>
/// TOTP verification (RFC 6238, 30-second steps, one step of clock drift either way) where every code works once:
/// the last accepted time step is remembered per user, so a code seen over someone's shoulder or replayed from a
/// log cannot be used again (ASVS 6.5). Replaces Identity's authenticator provider, which accepts a code repeatedly.
/// </summary>
internal sealed class ReplayProtectedAuthenticatorTokenProvider : IUserTwoFactorTokenProvider<KastellUser>
{
    internal const string LoginProvider = "[KastellTotp]";
    internal const string LastStepToken = "LastAcceptedStep";

    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<KastellUser> manager, KastellUser user) =>
        !string.IsNullOrEmpty(await manager.GetAuthenticatorKeyAsync(user));

    public Task<string> GenerateAsync(string purpose, UserManager<KastellUser> manager, KastellUser user) =>
        Task.FromResult(string.Empty); // codes come from the user's app, never from the server

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<KastellUser> manager, KastellUser user)
    {
        var key = await manager.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key) || !Matches(key, token, out var step))
        {
            return false;
        }

        var last = await manager.GetAuthenticationTokenAsync(user, LoginProvider, LastStepToken);
        if (long.TryParse(last, CultureInfo.InvariantCulture, out var lastStep) && step <= lastStep)
        {
            return false;
        }

        var saved = await manager.SetAuthenticationTokenAsync(user, LoginProvider, LastStepToken, step.ToString(CultureInfo.InvariantCulture));
        return saved.Succeeded;
    }

    /// <summary>Whether <paramref name="code"/> is the code of <paramref name="key"/> for now, give or take one step.</summary>
    internal static bool Matches(string key, string code, out long step)
    {
        step = 0;
        return code.Length == 6 && code.All(char.IsAsciiDigit)
            && new Totp(Base32Encoding.ToBytes(key)).VerifyTotp(code, out step, new VerificationWindow(previous: 1, future: 1));
    }
}
