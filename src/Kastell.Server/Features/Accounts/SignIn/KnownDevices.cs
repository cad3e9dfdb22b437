using System.Globalization;
using System.Security.Cryptography;
using Kastell.Server.Platform.Identity;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace Kastell.Server.Features.Accounts.SignIn;

/// <summary>
/// A browser that completed a sign-in (both factors) gets a long-lived, data-protected cookie naming the account and
/// a random device id. It proves nothing and signs nobody in; it only lets <see cref="SignInThrottle"/> give the
/// owner's own device a guess budget apart from everyone else's, so strangers' wrong passwords cannot keep them out.
/// </summary>
internal sealed class KnownDevices(IHttpContextAccessor http, IDataProtectionProvider protection, TimeProvider time)
{
    public const string CookieName = "__Host-Kastell-Device";

    /// <summary>The longest cookie lifetime browsers honour (RFC 6265bis caps Max-Age at 400 days).</summary>
    internal static readonly TimeSpan Lifetime = TimeSpan.FromDays(400);

    private IDataProtector Protector => protection.CreateProtector("Kastell.Accounts.KnownDevice.v1");

    /// <summary>The device id of this browser if it is a known device of <paramref name="user"/>; otherwise null.</summary>
    public string? DeviceOf(KastellUser user)
    {
        if (http.HttpContext?.Request.Cookies[CookieName] is not { Length: > 0 and <= 1024 } cookie)
        {
            return null;
        }

        string payload;
        try
        {
            payload = Protector.Unprotect(cookie);
        }
        catch (CryptographicException)
        {
            return null;
        }

        var parts = payload.Split('|');
        return parts.Length == 3
            && Guid.TryParse(parts[0], out var userId) && userId == user.Id
            && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var issued)
            && DateTimeOffset.FromUnixTimeSeconds(issued) + Lifetime > time.GetUtcNow()
                ? parts[1]
                : null;
    }

    /// <summary>Marks this browser as a known device of <paramref name="user"/> (keeping its id if it already was one).</summary>
    public void Remember(KastellUser user)
    {
        if (http.HttpContext is not { } context || context.Response.HasStarted)
        {
            return;
        }

        var device = DeviceOf(user) ?? WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16));
        var now = time.GetUtcNow();
        var payload = string.Join('|', user.Id.ToString("N"), device, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        context.Response.Cookies.Append(CookieName, Protector.Protect(payload), new CookieOptions
        {
            HttpOnly = true,
            Secure = true,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            IsEssential = true,
            MaxAge = Lifetime,
        });
    }
}
