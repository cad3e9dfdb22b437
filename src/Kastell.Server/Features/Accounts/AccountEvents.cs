using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Features.Accounts;

/// <summary>
/// The Accounts feature's events: sign-in, MFA, sessions, passwords and the account's e-mail (block 1000–1499). An
/// account belongs to no tenant, so they are recorded on the system chain; the security events among them are copied
/// into the chains of the account's organizations (<see cref="MemberSecurityEventAttribute"/>).
/// </summary>
[AuditEventBlock(1000, 1499)]
[RecordedIn(AuditChains.System)]
public static class AccountEvents
{
    [MemberSecurityEvent]
    public static readonly AuditEventType SignInSucceeded = new(1000);

    [MemberSecurityEvent]
    public static readonly AuditEventType SignInFailed = new(1001);

    /// <summary>Written by the lockout Kastell had before <see cref="SignInThrottled"/>; kept so older entries keep their name.</summary>
    [MemberSecurityEvent]
    public static readonly AuditEventType LockedOut = new(1002);

    [MemberSecurityEvent]
    public static readonly AuditEventType SecondFactorFailed = new(1003);

    [MemberSecurityEvent]
    public static readonly AuditEventType MfaEnrolled = new(1004);

    [MemberSecurityEvent]
    public static readonly AuditEventType RecoveryCodeUsed = new(1005);

    public static readonly AuditEventType SignedOut = new(1006);

    public static readonly AuditEventType SessionRevoked = new(1007);

    public static readonly AuditEventType OtherSessionsRevoked = new(1008);

    /// <summary>Recorded in the chain of the organization the account joins with (sign-up, invitation).</summary>
    [RecordedIn(AuditChains.Organization)]
    public static readonly AuditEventType AccountCreated = new(1009);

    [MemberSecurityEvent]
    public static readonly AuditEventType PasswordChanged = new(1010);

    [MemberSecurityEvent]
    public static readonly AuditEventType PasswordReset = new(1011);

    [MemberSecurityEvent]
    public static readonly AuditEventType MfaReset = new(1012);

    public static readonly AuditEventType EmailConfirmed = new(1013);

    public static readonly AuditEventType AccountDeleted = new(1014);

    public static readonly AuditEventType PasswordResetRequested = new(1015);

    public static readonly AuditEventType EmailConfirmationResent = new(1016);

    [MemberSecurityEvent]
    public static readonly AuditEventType RecoveryCodesRegenerated = new(1017);

    [MemberSecurityEvent]
    public static readonly AuditEventType PasskeyAdded = new(1018);

    [MemberSecurityEvent]
    public static readonly AuditEventType PasskeyRemoved = new(1019);

    /// <summary>A session handoff redeemed after a credential change or enrolment (failed: a stale or replayed handoff).</summary>
    public static readonly AuditEventType SessionRenewed = new(1020);

    /// <summary>An account's (or one known device's) guess budget ran out: attempts are refused unchecked until it refills.</summary>
    [MemberSecurityEvent]
    public static readonly AuditEventType SignInThrottled = new(1021);
}
