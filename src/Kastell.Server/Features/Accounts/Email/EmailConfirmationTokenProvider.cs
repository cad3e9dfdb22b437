using System.Security.Cryptography;
using Kastell.Server.Platform;
using Kastell.Server.Platform.Email;
using Kastell.Server.Platform.Identity;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.Accounts.Email;

/// <summary>
/// E-mail confirmation tokens bound to the user and the address, not to the security stamp: Identity's default
/// token dies whenever the stamp changes — and enrolling MFA right after sign-up changes it, which would break
/// the link the user has not clicked yet. Changing the address still invalidates the token. Lifetime as configured,
/// measured on the host's <see cref="TimeProvider"/> (so tests move a clock instead of waiting for a link to expire).
/// </summary>
internal sealed class EmailConfirmationTokenProvider(IDataProtectionProvider protection, IOptions<EmailOptions> options, TimeProvider time)
    : IUserTwoFactorTokenProvider<KastellUser>
{
    public const string Name = "KastellEmailConfirmation";

    private readonly ITimeLimitedDataProtector _protector =
        protection.CreateProtector("Kastell.EmailConfirmation.v1").ToTimeLimitedDataProtector();

    public Task<string> GenerateAsync(string purpose, UserManager<KastellUser> manager, KastellUser user) =>
        Task.FromResult(_protector.Protect(Payload(purpose, user), time.GetUtcNow() + options.Value.LinkLifetime));

    public Task<bool> ValidateAsync(string purpose, string token, UserManager<KastellUser> manager, KastellUser user)
    {
        try
        {
            // The protector refuses tokens expired by the system clock; the host's clock decides as well.
            var payload = _protector.Unprotect(token, out var expires);
            return Task.FromResult(time.GetUtcNow() < expires && payload == Payload(purpose, user));
        }
        catch (CryptographicException)
        {
            return Task.FromResult(false); // tampered, expired or from another key ring
        }
    }

    public Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<KastellUser> manager, KastellUser user) => Task.FromResult(false);

    private static string Payload(string purpose, KastellUser user) => $"{purpose}|{user.Id}|{user.NormalizedEmail}";
}
