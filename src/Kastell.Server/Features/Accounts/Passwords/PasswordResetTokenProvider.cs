using System.Security.Cryptography;
using Kastell.Server.Platform.Email;
using Kastell.Server.Platform.Identity;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.Accounts.Passwords;

/// <summary>
/// Password reset tokens: bound to the user and the security stamp like Identity's default (a reset rotates the stamp,
/// so a link works once), but their lifetime is measured on the host's <see cref="TimeProvider"/> — Identity's
/// provider reads the system clock, which no test can move. Lifetime as configured (Kastell:Email:LinkLifetime).
/// </summary>
internal sealed class PasswordResetTokenProvider(IDataProtectionProvider protection, IOptions<EmailOptions> options, TimeProvider time)
    : IUserTwoFactorTokenProvider<KastellUser>
{
    public const string Name = "KastellPasswordReset";

    private readonly ITimeLimitedDataProtector _protector =
        protection.CreateProtector("Kastell.PasswordReset.v1").ToTimeLimitedDataProtector();

    public async Task<string> GenerateAsync(string purpose, UserManager<KastellUser> manager, KastellUser user) =>
        _protector.Protect(await PayloadAsync(purpose, manager, user), time.GetUtcNow() + options.Value.LinkLifetime);

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<KastellUser> manager, KastellUser user)
    {
        string payload;
        DateTimeOffset expires;
        try
        {
            payload = _protector.Unprotect(token, out expires);
        }
        catch (CryptographicException)
        {
            return false; // tampered, expired by the system clock or from another key ring
        }

        return time.GetUtcNow() < expires && payload == await PayloadAsync(purpose, manager, user);
    }

    public Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<KastellUser> manager, KastellUser user) => Task.FromResult(false);

    private static async Task<string> PayloadAsync(string purpose, UserManager<KastellUser> manager, KastellUser user) =>
        $"{purpose}|{user.Id}|{await manager.GetSecurityStampAsync(user)}";
}
