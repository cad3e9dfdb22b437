using System.Globalization;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Accounts.Mfa;

/// <summary>
/// Managing second factors of a signed-in user: replacing the authenticator app and issuing new recovery codes.
/// Both start with re-authentication (password and a current code). A new authenticator secret only takes effect
/// once a code from the new app proves it was set up; until then the old app keeps working, so an abandoned reset
/// locks nobody out.
/// </summary>
internal sealed class MfaFactors(
    KastellDbContext db,
    UserManager<KastellUser> users,
    IUserStore<KastellUser> store,
    Reauthentication reauthentication,
    IAuditLog audit,
    TimeProvider time)
{
    private const string PendingKeyToken = "PendingKey";
    internal static readonly TimeSpan PendingKeyLifetime = TimeSpan.FromMinutes(10);

    /// <summary>After re-authentication, a new secret waiting for confirmation; null when re-authentication failed.</summary>
    public async Task<string?> BeginAuthenticatorResetAsync(KastellUser user, string password, string code)
    {
        if (!await reauthentication.VerifyAsync(user, password, code))
        {
            return null;
        }

        var key = users.GenerateNewAuthenticatorKey();
        var expires = (time.GetUtcNow() + PendingKeyLifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        await users.SetAuthenticationTokenAsync(user, ReplayProtectedAuthenticatorTokenProvider.LoginProvider, PendingKeyToken, key + "|" + expires);
        return key;
    }

    /// <summary>The secret still waiting for confirmation, if any and not expired.</summary>
    public async Task<string?> PendingKeyAsync(KastellUser user)
    {
        var stored = await users.GetAuthenticationTokenAsync(user, ReplayProtectedAuthenticatorTokenProvider.LoginProvider, PendingKeyToken);
        var parts = stored?.Split('|');
        return parts is [var key, var expires]
            && long.TryParse(expires, CultureInfo.InvariantCulture, out var unix)
            && DateTimeOffset.FromUnixTimeSeconds(unix) > time.GetUtcNow()
            ? key : null;
    }

    /// <summary>
    /// Swaps in the pending secret when <paramref name="code"/> comes from it. The security stamp changes, so codes of
    /// the old app stop working at once, and every session of the user ends in the same transaction — sessions
    /// opened with the old app do not outlive the swap even if the request dies before the caller's
    /// <see cref="SessionHandoff"/> gives this browser its new session.
    /// </summary>
    public async Task<bool> ConfirmAuthenticatorResetAsync(KastellUser user, string code)
    {
        code = new string(code.Where(char.IsAsciiDigit).ToArray());
        if (await PendingKeyAsync(user) is not { } key || !ReplayProtectedAuthenticatorTokenProvider.Matches(key, code, out var step))
        {
            return false;
        }

        await using var transaction = await db.Database.BeginTransactionAsync();
        await ((IUserAuthenticatorKeyStore<KastellUser>)store).SetAuthenticatorKeyAsync(user, key, CancellationToken.None);
        await users.RemoveAuthenticationTokenAsync(user, ReplayProtectedAuthenticatorTokenProvider.LoginProvider, PendingKeyToken);
        // The confirmation code is spent: it cannot sign anyone in afterwards.
        await users.SetAuthenticationTokenAsync(user, ReplayProtectedAuthenticatorTokenProvider.LoginProvider,
            ReplayProtectedAuthenticatorTokenProvider.LastStepToken, step.ToString(CultureInfo.InvariantCulture));
        audit.Record(new(AccountEvents.MfaReset, AuditActor.User(user.Id), AuditTarget.User(user.Id), Details: new Dictionary<string, string> { ["method"] = "totp" }));
        await users.UpdateSecurityStampAsync(user);
        await db.UserSessions.Where(s => s.UserId == user.Id).ExecuteDeleteAsync();
        await transaction.CommitAsync();
        return true;
    }

    /// <summary>After re-authentication, ten new recovery codes replace all old ones; null when re-authentication failed.</summary>
    public async Task<IReadOnlyList<string>?> RegenerateRecoveryCodesAsync(KastellUser user, string password, string code)
    {
        if (!await reauthentication.VerifyAsync(user, password, code))
        {
            return null;
        }

        audit.Record(new(AccountEvents.RecoveryCodesRegenerated, AuditActor.User(user.Id), AuditTarget.User(user.Id)));
        // Saves the user (and with it the audit event) in one SaveChanges.
        var codes = await users.GenerateNewTwoFactorRecoveryCodesAsync(user, MfaEnrolment.RecoveryCodeCount);
        return [.. codes ?? []];
    }

    public async Task<int> RecoveryCodesLeftAsync(KastellUser user) => await users.CountRecoveryCodesAsync(user);
}
