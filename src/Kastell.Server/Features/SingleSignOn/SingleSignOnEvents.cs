using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Features.SingleSignOn;

/// <summary>The SingleSignOn feature's events: connections managed, sign-ins through them and their refusals (block 5000–5049).</summary>
[AuditEventBlock(5000, 5049)]
public static class SingleSignOnEvents
{
    public static readonly AuditEventType SsoConnectionAdded = new(5000);

    public static readonly AuditEventType SsoConnectionRemoved = new(5001);

    /// <summary>A sign-in through a connection completed (Kastell's second factor may still follow); details say how.</summary>
    public static readonly AuditEventType SsoSignInSucceeded = new(5010);

    /// <summary>
    /// A sign-in through a connection refused, with the reason (bad token, unverified e-mail, account elsewhere …); on
    /// the system chain when no organization can be named (a completion without the provider's answer).
    /// </summary>
    [RecordedIn(AuditChains.System | AuditChains.Organization)]
    public static readonly AuditEventType SsoSignInRefused = new(5011);

    /// <summary>The first sign-in created the account (just in time) and made it a member with the connection's role.</summary>
    public static readonly AuditEventType SsoAccountProvisioned = new(5012);
}
