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
/// Password sign-in that gives attackers nothing to learn: unknown accounts, wrong passwords and throttled attempts
/// produce the same answer and the same work — exactly one password hash each (an unknown account and a throttled
/// attempt verify against a dummy hash), so timing does not tell them apart either. Guessing is bounded by
/// <see cref="SignInThrottle"/>, never by a lockout that would let anyone keep the owner out.
/// Every attempt is audited on the system chain. The e-mail typed for an unknown account is stored only as a keyed
/// pseudonym: people type passwords into the e-mail field, and a clear address of a non-customer is personal data
/// we have no reason to keep; the pseudonym still lets investigators group repeated attempts on the same address.
/// </summary>
internal sealed class SignInCommand(
    UserManager<KastellUser> users,
    SignInManager<KastellUser> signIn,
    IPasswordHasher<KastellUser> hasher,
    DummyPasswordHash dummy,
    SignInThrottle throttle,
    KnownDevices devices,
    IAuditLog audit,
    AuditSigningKey auditKey)
{
    public async Task<SignInOutcome> PasswordAsync(string email, string password)
    {
        var user = await users.FindByEmailAsync(email.Trim());
        if (user is null)
        {
            dummy.Verify(hasher, password);
            await audit.RecordNowAsync(new(AccountEvents.SignInFailed, AuditActor.Anonymous,
                AuditTarget.TypedAccount(auditKey, email), AuditOutcome.Failed, Fact("reason", "unknown-account")));
            return SignInOutcome.Failed;
        }

        var permit = await throttle.TryTakeAsync(user);
        if (!permit.Granted)
        {
            dummy.Verify(hasher, password);
            await RecordThrottledAsync(user, permit, AccountEvents.SignInFailed);
            return SignInOutcome.Failed;
        }

        var result = await signIn.PasswordSignInAsync(user, password, isPersistent: false, lockoutOnFailure: false);
        if (result.Succeeded || result.RequiresTwoFactor)
        {
            await throttle.RefundAsync(permit);
        }

        await RecordAttemptAsync(user, result, "password");
        if (result.RequiresTwoFactor)
        {
            return SignInOutcome.RequiresSecondFactor;
        }

        return result.Succeeded ? SignInOutcome.SignedInNeedsEnrolment : SignInOutcome.Failed;
    }

    /// <summary>The second step with an authenticator code; false when the code is wrong, throttled, or the step expired.</summary>
    public async Task<bool> AuthenticatorCodeAsync(string code)
    {
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return false;
        }

        var permit = await throttle.TryTakeAsync(user);
        if (!permit.Granted)
        {
            await RecordThrottledAsync(user, permit, AccountEvents.SecondFactorFailed);
            return false;
        }

        var result = await signIn.TwoFactorAuthenticatorSignInAsync(code, isPersistent: false, rememberClient: false);
        await CompleteSecondFactorAsync(user, permit, result, "totp");
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

        var permit = await throttle.TryTakeAsync(user);
        if (!permit.Granted)
        {
            await RecordThrottledAsync(user, permit, AccountEvents.SecondFactorFailed);
            return false;
        }

        var result = await signIn.TwoFactorRecoveryCodeSignInAsync(code);
        if (result.Succeeded)
        {
            audit.Record(new(AccountEvents.RecoveryCodeUsed, AuditActor.User(user.Id), AuditTarget.User(user.Id),
                Details: new Dictionary<string, string> { ["remaining"] = (await users.CountRecoveryCodesAsync(user)).ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        }

        await CompleteSecondFactorAsync(user, permit, result, "recovery-code");
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
        var allowed = result.Passkey.IsUserVerified && user.TwoFactorEnabled && await signIn.CanSignInAsync(user);
        if (!allowed)
        {
            await audit.RecordNowAsync(new(AccountEvents.SignInFailed, AuditActor.Anonymous, AuditTarget.User(user.Id), AuditOutcome.Failed, Fact("reason", "passkey-not-allowed")));
            return false;
        }

        // Stores the new signature counter, which lets a cloned authenticator show itself.
        await users.AddOrUpdatePasskeyAsync(user, result.Passkey);
        devices.Remember(user);
        await signIn.SignInWithClaimsAsync(user, isPersistent: false, [new System.Security.Claims.Claim("amr", "mfa"), new System.Security.Claims.Claim("amr", "hwk")]);
        audit.Record(new(AccountEvents.SignInSucceeded, AuditActor.User(user.Id), AuditTarget.User(user.Id), Details: Fact("step", "passkey")));
        await audit.FlushAsync();
        return true;
    }

    /// <summary>Both factors given: the guess goes back, and this browser becomes a known device of the account.</summary>
    private async Task CompleteSecondFactorAsync(KastellUser user, SignInPermit permit, SignInResult result, string step)
    {
        if (result.Succeeded)
        {
            await throttle.RefundAsync(permit);
            devices.Remember(user);
        }

        await RecordAttemptAsync(user, result, step);
    }

    private async Task RecordAttemptAsync(KastellUser user, SignInResult result, string step)
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
            audit.Record(new(type, AuditActor.Anonymous, target, AuditOutcome.Failed, Fact("reason", "wrong-" + step)));
        }

        await audit.FlushAsync();
    }

    /// <summary>A refused attempt, and the start of a run of them once (with the budget it ran out of).</summary>
    private async Task RecordThrottledAsync(KastellUser user, SignInPermit permit, AuditEventType type)
    {
        var target = AuditTarget.User(user.Id);
        audit.Record(new(type, AuditActor.Anonymous, target, AuditOutcome.Failed, Fact("reason", "throttled")));
        if (permit.ThrottlingStarted)
        {
            audit.Record(new(AccountEvents.SignInThrottled, AuditActor.System("sign-in-throttle"), target, AuditOutcome.Succeeded, Fact("budget", permit.Bucket.Kind)));
        }

        await audit.FlushAsync();
    }

    private static Dictionary<string, string> Fact(string key, string value) => new() { [key] = value };
}
