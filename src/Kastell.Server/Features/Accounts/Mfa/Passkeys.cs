using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Kastell.Server.Features.Accounts.Sessions;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;

namespace Kastell.Server.Features.Accounts.Mfa;

public sealed record PasskeySummary(string Id, string Name, DateTimeOffset CreatedAt);

internal enum PasskeyRemoval
{
    Removed,
    ReauthenticationFailed,
    NotFound,
}

internal enum PasskeyRegistration
{
    Added,
    NoGrant,
    Rejected,
}

/// <summary>
/// Passkeys (WebAuthn) through ASP.NET Core Identity's built-in handler. Adding one needs a registration grant: a
/// re-authentication (password and current code) of this very session, valid for a few minutes and used once.
/// The ceremony state (challenge) lives in Identity's short-lived two-factor cookie between the options request and
/// the form post that carries the authenticator's answer.
/// </summary>
internal sealed class Passkeys(
    UserManager<KastellUser> users,
    SignInManager<KastellUser> signIn,
    Reauthentication reauthentication,
    IAuditLog audit,
    TimeProvider time)
{
    public const int MaxNameLength = 64;
    internal static readonly TimeSpan GrantLifetime = TimeSpan.FromMinutes(5);
    private const string TokenProvider = "[KastellPasskey]";
    private const string GrantToken = "RegistrationGrant";

    public async Task<IReadOnlyList<PasskeySummary>> ListAsync(KastellUser user) =>
        [.. (await users.GetPasskeysAsync(user))
            .OrderBy(p => p.CreatedAt)
            .Select(p => new PasskeySummary(WebEncoders.Base64UrlEncode(p.CredentialId), p.Name ?? "", p.CreatedAt))];

    /// <summary>Re-authentication that lets this session add one passkey within <see cref="GrantLifetime"/>.</summary>
    public async Task<bool> GrantRegistrationAsync(KastellUser user, string password, string code, string sessionId)
    {
        if (!await reauthentication.VerifyAsync(user, password, code))
        {
            await RefusedAsync(AccountEvents.PasskeyAdded, user, "reauthentication-failed");
            return false;
        }

        var expires = (time.GetUtcNow() + GrantLifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        await users.SetAuthenticationTokenAsync(user, TokenProvider, GrantToken, SessionHash(sessionId) + "|" + expires);
        return true;
    }

    public async Task<bool> HasGrantAsync(KastellUser user, string? sessionId)
    {
        var stored = await users.GetAuthenticationTokenAsync(user, TokenProvider, GrantToken);
        return sessionId is not null
            && stored?.Split('|') is [var session, var expires]
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(session), Encoding.ASCII.GetBytes(SessionHash(sessionId)))
            && long.TryParse(expires, CultureInfo.InvariantCulture, out var unix)
            && DateTimeOffset.FromUnixTimeSeconds(unix) > time.GetUtcNow();
    }

    /// <summary>The <c>navigator.credentials.create</c> options (JSON), or null without a grant.</summary>
    public async Task<string?> CreationOptionsAsync(KastellUser user, string? sessionId)
    {
        if (!await HasGrantAsync(user, sessionId))
        {
            return null;
        }

        return await signIn.MakePasskeyCreationOptionsAsync(new PasskeyUserEntity
        {
            Id = user.Id.ToString(),
            Name = user.Email!,
            DisplayName = string.IsNullOrWhiteSpace(user.DisplayName) ? user.Email! : user.DisplayName,
        });
    }

    /// <summary>Verifies the authenticator's attestation and stores the passkey; spends the grant either way.</summary>
    public async Task<PasskeyRegistration> RegisterAsync(KastellUser user, string? sessionId, string? credentialJson, string name)
    {
        if (!await HasGrantAsync(user, sessionId))
        {
            await RefusedAsync(AccountEvents.PasskeyAdded, user, "no-grant");
            return PasskeyRegistration.NoGrant;
        }

        await users.RemoveAuthenticationTokenAsync(user, TokenProvider, GrantToken);
        if (string.IsNullOrWhiteSpace(credentialJson))
        {
            await RefusedAsync(AccountEvents.PasskeyAdded, user, "no-credential");
            return PasskeyRegistration.Rejected;
        }

        PasskeyAttestationResult result;
        try
        {
            result = await signIn.PerformPasskeyAttestationAsync(credentialJson);
        }
        catch (InvalidOperationException)
        {
            // No ceremony under way (options never requested, or expired).
            await RefusedAsync(AccountEvents.PasskeyAdded, user, "no-ceremony");
            return PasskeyRegistration.Rejected;
        }

        if (!result.Succeeded || !result.Passkey.IsUserVerified || await users.FindByPasskeyIdAsync(result.Passkey.CredentialId) is not null)
        {
            await RefusedAsync(AccountEvents.PasskeyAdded, user, result.Succeeded ? "not-user-verified-or-known" : "attestation-rejected");
            return PasskeyRegistration.Rejected;
        }

        result.Passkey.Name = name.Trim() is { Length: > 0 } trimmed ? trimmed[..Math.Min(trimmed.Length, MaxNameLength)] : "Passkey";
        audit.Record(new(AccountEvents.PasskeyAdded, AuditActor.User(user.Id), AuditTarget.User(user.Id),
            Details: new Dictionary<string, string> { ["credential"] = CredentialHandle(result.Passkey.CredentialId) }));
        var added = await users.AddOrUpdatePasskeyAsync(user, result.Passkey);
        return added.Succeeded ? PasskeyRegistration.Added : PasskeyRegistration.Rejected;
    }

    /// <summary>Removes one of the user's own passkeys after re-authentication; someone else's id matches nothing.</summary>
    public async Task<PasskeyRemoval> RemoveAsync(KastellUser user, string password, string code, string id)
    {
        if (!await reauthentication.VerifyAsync(user, password, code))
        {
            await RefusedAsync(AccountEvents.PasskeyRemoved, user, "reauthentication-failed");
            return PasskeyRemoval.ReauthenticationFailed;
        }

        byte[] credentialId;
        try
        {
            credentialId = WebEncoders.Base64UrlDecode(id);
        }
        catch (FormatException)
        {
            return PasskeyRemoval.NotFound;
        }

        if (await users.GetPasskeyAsync(user, credentialId) is null)
        {
            return PasskeyRemoval.NotFound;
        }

        audit.Record(new(AccountEvents.PasskeyRemoved, AuditActor.User(user.Id), AuditTarget.User(user.Id),
            Details: new Dictionary<string, string> { ["credential"] = CredentialHandle(credentialId) }));
        return (await users.RemovePasskeyAsync(user, credentialId)).Succeeded ? PasskeyRemoval.Removed : PasskeyRemoval.NotFound;
    }

    /// <summary>A refused credential change changes nothing, so its event is written in a transaction of its own.</summary>
    private Task RefusedAsync(AuditEventType type, KastellUser user, string reason) =>
        audit.RecordNowAsync(new(type, AuditActor.User(user.Id), AuditTarget.User(user.Id), AuditOutcome.Failed,
            new Dictionary<string, string> { ["reason"] = reason }));

    /// <summary>A short, non-reversible name of a credential for the audit log.</summary>
    internal static string CredentialHandle(byte[] credentialId) => Convert.ToHexStringLower(SHA256.HashData(credentialId))[..20];

    private static string SessionHash(string sessionId) => SessionList.Handle(sessionId);
}
