using System.Globalization;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Features.Accounts.SignIn;
using Microsoft.AspNetCore.Identity;

namespace Kastell.Server.Features.Accounts;

/// <summary>
/// Proof of presence before a sensitive action (changing the password or second factor, deleting things): the
/// password and a second factor, entered on the form of the action itself. A session cookie alone — for instance one
/// stolen from an unlocked machine — is not enough. The second factor is a fresh authenticator code or, for a user who
/// lost the phone, one of the single-use recovery codes, which is used up here just as at sign-in. Failures draw on
/// the same guess budget as sign-in (<see cref="SignInThrottle"/>); a refused attempt still pays for one password hash.
/// </summary>
internal sealed class Reauthentication(
    KastellDbContext db,
    UserManager<KastellUser> users,
    SignInManager<KastellUser> signIn,
    IPasswordHasher<KastellUser> hasher,
    DummyPasswordHash dummy,
    SignInThrottle throttle,
    IAuditLog audit)
{
    public async Task<bool> VerifyAsync(KastellUser user, string password, string code)
    {
        var permit = await throttle.TryTakeAsync(user);
        if (!permit.Granted)
        {
            dummy.Verify(hasher, password);
            if (permit.ThrottlingStarted)
            {
                await audit.RecordNowAsync(new(AccountEvents.SignInThrottled, AuditActor.System("sign-in-throttle"), AuditTarget.User(user.Id),
                    AuditOutcome.Succeeded, new Dictionary<string, string> { ["budget"] = permit.Bucket.Kind }));
            }

            return false;
        }

        var passwordCheck = await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: false);
        if (!passwordCheck.Succeeded)
        {
            return false;
        }

        var verified = IsAuthenticatorCode(code)
            ? await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, new string(code.Where(char.IsAsciiDigit).ToArray()))
            : await RedeemRecoveryCodeAsync(user, code);
        if (verified)
        {
            await throttle.RefundAsync(permit);
        }

        return verified;
    }

    /// <summary>Authenticator codes are six digits (typed with or without spaces); recovery codes always hold letters and a hyphen.</summary>
    private static bool IsAuthenticatorCode(string code) => code.Where(c => !char.IsWhiteSpace(c)).All(char.IsAsciiDigit);

    /// <summary>Spends the recovery code and records that in one transaction, so neither happens without the other.</summary>
    private async Task<bool> RedeemRecoveryCodeAsync(KastellUser user, string code)
    {
        code = code.Trim();
        if (code.Length == 0)
        {
            return false;
        }

        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync() : null;
        if (!(await users.RedeemTwoFactorRecoveryCodeAsync(user, code)).Succeeded)
        {
            return false;
        }

        audit.Record(new(AccountEvents.RecoveryCodeUsed, AuditActor.User(user.Id), AuditTarget.User(user.Id),
            Details: new Dictionary<string, string>
            {
                ["purpose"] = "reauthentication",
                ["remaining"] = (await users.CountRecoveryCodesAsync(user)).ToString(CultureInfo.InvariantCulture),
            }));
        await audit.FlushAsync();
        if (transaction is not null)
        {
            await transaction.CommitAsync();
        }

        return true;
    }
}
