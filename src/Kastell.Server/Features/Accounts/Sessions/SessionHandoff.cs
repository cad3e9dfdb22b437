using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Accounts.Sessions;

/// <summary>
/// Gives the browser a brand-new session after a credential change that ended every session of the user, this
/// browser's included. A Blazor form handler cannot do that itself: the cookie handler renews the session the request
/// arrived with (same id, same row) instead of starting a new one. So the handler revokes all sessions, leaves a
/// short-lived, single-use handoff cookie and redirects to <see cref="RenewPath"/>, a plain endpoint whose request
/// carries only the dead cookie — there the sign-in creates a new session row and a new cookie. Enrolling the first
/// second factor takes the same path, so the password-only session is never upgraded in place (session fixation).
/// </summary>
internal sealed class SessionHandoff(
    KastellDbContext db,
    UserManager<KastellUser> users,
    SignInManager<KastellUser> signIn,
    IDataProtectionProvider protection,
    IAuditLog audit,
    TimeProvider time)
{
    public const string RenewPath = "/account/session/renew";
    public const string CookieName = "__Host-Kastell-Handoff";
    internal static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    /// <summary>
    /// After enrolment the page shows the recovery codes first and the browser renews only when the user continues,
    /// so the handoff must outlive the time it takes to write ten codes down.
    /// </summary>
    internal static readonly TimeSpan EnrolmentLifetime = TimeSpan.FromMinutes(15);
    private const string TokenProvider = "[KastellSessionHandoff]";
    private const string TokenName = "NonceHash";

    /// <summary>Where each purpose lands after the renewal; a fixed list, so the handoff cannot become an open redirect.</summary>
    private static readonly Dictionary<string, string> Targets = new(StringComparer.Ordinal)
    {
        ["password"] = "/account/password?changed=true",
        ["authenticator"] = "/account/security?authenticator=reset",
        ["enrolment"] = "/",
    };

    private ITimeLimitedDataProtector Protector => protection.CreateProtector("Kastell.Sessions.Handoff.v1").ToTimeLimitedDataProtector();

    /// <summary>Ends every session of the user and prepares this browser's handoff; the caller then redirects to <see cref="RenewPath"/>.</summary>
    public async Task BeginAsync(HttpContext context, KastellUser user, string purpose)
    {
        if (!Targets.ContainsKey(purpose))
        {
            throw new ArgumentOutOfRangeException(nameof(purpose), purpose, "Unknown handoff purpose.");
        }

        await db.UserSessions.Where(s => s.UserId == user.Id).ExecuteDeleteAsync();
        var nonce = Base64Url(RandomNumberGenerator.GetBytes(32));
        await users.SetAuthenticationTokenAsync(user, TokenProvider, TokenName, Hash(nonce));
        // Bound to the security stamp: a password reset, factor change or lockout after this point voids the handoff.
        var payload = string.Join('|', user.Id.ToString("N"), purpose, nonce, await users.GetSecurityStampAsync(user));
        var lifetime = purpose == "enrolment" ? EnrolmentLifetime : Lifetime;
        context.Response.Cookies.Append(CookieName, Protector.Protect(payload, time.GetUtcNow() + lifetime), new CookieOptions
        {
            Secure = true,
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            MaxAge = lifetime,
        });
    }

    /// <summary>Redeems the handoff once and signs the browser in with a fresh session; the target, or null when refused.</summary>
    public async Task<string?> CompleteAsync(HttpContext context)
    {
        var cookie = context.Request.Cookies[CookieName];
        context.Response.Cookies.Delete(CookieName, new CookieOptions { Secure = true, HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
        // A request that still has a live session would only renew that session, which is exactly what must not happen.
        if (cookie is null || context.User.Identity?.IsAuthenticated == true)
        {
            return null;
        }

        string payload;
        try
        {
            payload = Protector.Unprotect(cookie, out var expires);
            if (expires < time.GetUtcNow())
            {
                return null;
            }
        }
        catch (CryptographicException)
        {
            return null;
        }

        var parts = payload.Split('|');
        if (parts.Length != 4 || !Targets.TryGetValue(parts[1], out var target) || await users.FindByIdAsync(parts[0]) is not { } user)
        {
            return null;
        }

        // From here on the handoff names a user: a refusal is worth an event (a replayed or stale handoff).
        if (parts[3] != await users.GetSecurityStampAsync(user))
        {
            await RecordRefusalAsync(user.Id, parts[1], "stale", context.RequestAborted);
            return null;
        }

        var stored = await users.GetAuthenticationTokenAsync(user, TokenProvider, TokenName);
        if (stored is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored), Encoding.ASCII.GetBytes(Hash(parts[2]))))
        {
            await RecordRefusalAsync(user.Id, parts[1], "used", context.RequestAborted);
            return null;
        }

        // Saved with the token's removal (one SaveChanges in the user store): the handoff is spent exactly when the event says so.
        audit.Record(new(AccountEvents.SessionRenewed, AuditActor.User(user.Id), AuditTarget.User(user.Id),
            Details: new Dictionary<string, string> { ["purpose"] = parts[1] }));
        await users.RemoveAuthenticationTokenAsync(user, TokenProvider, TokenName);
        // The change (or the enrolment) was made with password and second factor, so the new session is a second-factor session.
        await signIn.SignInWithClaimsAsync(user, isPersistent: false, [new Claim("amr", "mfa")]);
        return target;
    }

    private async Task RecordRefusalAsync(Guid userId, string purpose, string reason, CancellationToken cancellationToken) =>
        await audit.RecordNowAsync(new(AccountEvents.SessionRenewed, AuditActor.User(userId), AuditTarget.User(userId), AuditOutcome.Failed,
            new Dictionary<string, string> { ["purpose"] = purpose, ["reason"] = reason }), cancellationToken);

    private static string Hash(string nonce) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(nonce)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
