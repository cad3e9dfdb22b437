using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Identity;
using Microsoft.AspNetCore.Identity;

namespace Kastell.Server.Features.Accounts.SignIn;

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
/// Every attempt is audited on the system chain. The e-mail typed for an unknown account is stored only as a keyed
/// pseudonym: people type passwords into the e-mail field, and a clear address of a non-customer is personal data
/// we have no reason to keep; the pseudonym still lets investigators group repeated attempts on the same address.
/// </summary>
internal sealed class SignInCommand(UserManager<KastellUser> users, SignInManager<KastellUser> signIn, IPasswordHasher<KastellUser> hasher, IAuditLog audit, AuditSigningKey auditKey)
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
            await audit.RecordNowAsync(new(AccountEvents.SignInFailed, AuditActor.Anonymous,
                AuditTarget.TypedAccount(auditKey, email), AuditOutcome.Failed, Fact("reason", "unknown-account")));
            return SignInOutcome.Failed;
        }

        var lockedUntil = user.LockoutEnd;
        var result = await signIn.PasswordSignInAsync(user, password, isPersistent: false, lockoutOnFailure: true);
        await RecordAttemptAsync(user, result, lockedUntil, "password");
        if (result.RequiresTwoFactor)
        {
            return SignInOutcome.RequiresSecondFactor;
        }

        return result.Succeeded ? SignInOutcome.SignedInNeedsEnrolment : SignInOutcome.Failed;
    }

    /// <summary>The second step with an authenticator code; false when the code is wrong or the step expired.</summary>
    public async Task<bool> AuthenticatorCodeAsync(string code)
    {
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return false;
        }

        var lockedUntil = user.LockoutEnd;
        var result = await signIn.TwoFactorAuthenticatorSignInAsync(code, isPersistent: false, rememberClient: false);
        await RecordAttemptAsync(user, result, lockedUntil, "totp");
        return result.Succeeded;
    }

    /// <summary>The second step with a single-use recovery code.</summary>
    public async Task<bool> RecoveryCodeAsync(string code)
    {
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return false;
        }

        var lockedUntil = user.LockoutEnd;
        var result = await signIn.TwoFactorRecoveryCodeSignInAsync(code);
        if (result.Succeeded)
        {
            audit.Record(new(AccountEvents.RecoveryCodeUsed, AuditActor.User(user.Id), AuditTarget.User(user.Id),
                Details: new Dictionary<string, string> { ["remaining"] = (await users.CountRecoveryCodesAsync(user)).ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        }

        await RecordAttemptAsync(user, result, lockedUntil, "recovery-code");
        return result.Succeeded;
    }

    /// <summary>
    /// Sign-in with a passkey, which is both factors at once: possession of the device key and the user verification
    /// (PIN or biometrics) the authenticator performed, as required by the options (see ADR 0008). Failures are
    /// answered alike whatever went wrong.
    /// </summary>
    public async Task<bool> PasskeyAsync(string? credentialJson)
    {
        if (string.IsNullOrWhiteSpace(credentialJson))
        {
            return false;
        }

        PasskeyAssertionResult<KastellUser> result;
        try
        {
            result = await signIn.PerformPasskeyAssertionAsync(credentialJson);
        }
        catch (InvalidOperationException)
        {
            result = PasskeyAssertionResult.Fail<KastellUser>(new PasskeyException("No passkey ceremony under way."));
        }

        if (!result.Succeeded)
        {
            await audit.RecordNowAsync(new(AccountEvents.SignInFailed, AuditActor.Anonymous, new("account", "unknown"), AuditOutcome.Failed, Fact("reason", "wrong-passkey")));
            return false;
        }

        var user = result.User;
        var allowed = result.Passkey.IsUserVerified && user.TwoFactorEnabled && !await users.IsLockedOutAsync(user) && await signIn.CanSignInAsync(user);
        if (!allowed)
        {
            await audit.RecordNowAsync(new(AccountEvents.SignInFailed, AuditActor.Anonymous, AuditTarget.User(user.Id), AuditOutcome.Failed, Fact("reason", "passkey-not-allowed")));
            return false;
        }

        // Stores the new signature counter, which lets a cloned authenticator show itself.
        await users.AddOrUpdatePasskeyAsync(user, result.Passkey);
        await users.ResetAccessFailedCountAsync(user);
        await signIn.SignInWithClaimsAsync(user, isPersistent: false, [new System.Security.Claims.Claim("amr", "mfa"), new System.Security.Claims.Claim("amr", "hwk")]);
        audit.Record(new(AccountEvents.SignInSucceeded, AuditActor.User(user.Id), AuditTarget.User(user.Id), Details: Fact("step", "passkey")));
        await audit.FlushAsync();
        return true;
    }

    /// <param name="lockedUntil">The lockout end before the attempt: a lockout is recorded once, when it starts.</param>
    private async Task RecordAttemptAsync(KastellUser user, SignInResult result, DateTimeOffset? lockedUntil, string step)
    {
        var target = AuditTarget.User(user.Id);
        if (result.Succeeded)
        {
            audit.Record(new(AccountEvents.SignInSucceeded, AuditActor.User(user.Id), target, Details: Fact("step", step)));
        }
        else if (result.RequiresTwoFactor)
        {
            return; // half-way: the sign-in is recorded when the second factor succeeds or fails
        }
        else
        {
            var type = step == "password" ? AccountEvents.SignInFailed : AccountEvents.SecondFactorFailed;
            audit.Record(new(type, AuditActor.Anonymous, target, AuditOutcome.Failed, Fact("reason", result.IsLockedOut ? "locked-out" : "wrong-" + step)));
            if (result.IsLockedOut && user.LockoutEnd != lockedUntil)
            {
                audit.Record(new(AccountEvents.LockedOut, AuditActor.System("lockout-policy"), target, AuditOutcome.Succeeded));
            }
        }

        await audit.FlushAsync();
    }

    private static Dictionary<string, string> Fact(string key, string value) => new() { [key] = value };
}
