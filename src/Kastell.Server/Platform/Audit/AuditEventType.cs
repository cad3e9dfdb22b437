namespace Kastell.Server.Platform.Audit;

/// <summary>
/// What happened. The numbers are stored and hashed into the chain, so they are stable forever: append new members
/// in their area's block, never renumber or reuse one. 1000s accounts, 1500s organizations and members, 2000s
/// Spaces, 8000s the audit log itself, 9000s authorization denials.
/// </summary>
public enum AuditEventType
{
    SignInSucceeded = 1000,
    SignInFailed = 1001,
    LockedOut = 1002,
    SecondFactorFailed = 1003,
    MfaEnrolled = 1004,
    RecoveryCodeUsed = 1005,
    SignedOut = 1006,
    SessionRevoked = 1007,
    OtherSessionsRevoked = 1008,
    AccountCreated = 1009,
    PasswordChanged = 1010,
    PasswordReset = 1011,
    MfaReset = 1012,
    EmailConfirmed = 1013,
    AccountDeleted = 1014,
    PasswordResetRequested = 1015,
    EmailConfirmationResent = 1016,
    RecoveryCodesRegenerated = 1017,
    PasskeyAdded = 1018,
    PasskeyRemoved = 1019,

    /// <summary>A session handoff redeemed after a credential change or enrolment (failed: a stale or replayed handoff).</summary>
    SessionRenewed = 1020,

    OrganizationCreated = 1500,
    MemberInvited = 1501,
    MemberAdded = 1502,
    MemberRoleChanged = 1503,
    InvitationRevoked = 1504,
    InvitationAccepted = 1505,
    PasswordPolicyChanged = 1506,
    MemberRevoked = 1511,
    OrganizationDeleted = 1512,

    SpaceCreated = 2000,
    SpaceDeleted = 2001,

    /// <summary>An upload the malware scanner found infected: refused, nothing kept.</summary>
    FileMalwareFound = 2010,

    /// <summary>An upload held in quarantine because the malware scanner was unavailable.</summary>
    FileQuarantined = 2011,

    /// <summary>A quarantined upload scanned clean later and made available.</summary>
    FileReleased = 2012,

    /// <summary>A file uploaded, scanned clean and made available.</summary>
    FileUploaded = 2013,

    /// <summary>An upload refused before it was kept: too large, empty, or of a type Kastell does not accept.</summary>
    FileUploadRefused = 2014,

    /// <summary>A file (or a range of it) sent to a user.</summary>
    FileDownloaded = 2015,

    FileDeleted = 2016,

    AuditLogExported = 8000,
    AuditLogPruned = 8001,
    AuditRetentionChanged = 8002,

    AuthorizationDenied = 9000,
}

/// <summary>How the recorded action ended. Stored as a number and hashed: append only.</summary>
public enum AuditOutcome
{
    Succeeded = 0,
    Failed = 1,
    Denied = 2,
}
