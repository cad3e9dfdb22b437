namespace Kastell.Server.Platform.Audit;

/// <summary>
/// The chains an event type can be recorded in: an organization's own chain, the system chain (account events that
/// belong to no tenant), or both. Declared beside each event (<see cref="RecordedInAttribute"/>, on the event's field
/// or its class; without one, an organization's chain), so the audit page offers an organization exactly the actions
/// that can occur in its chain, and a test that records every kind of event checks each declaration against where
/// the events really landed.
/// </summary>
[Flags]
public enum AuditChains
{
    Organization = 1,
    System = 2,
    Both = Organization | System,
}

/// <summary>Where the events of a class (or one field) are recorded; see <see cref="AuditChains"/>.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Field)]
public sealed class RecordedInAttribute(AuditChains chains) : Attribute
{
    public AuditChains Chains { get; } = chains;
}

/// <summary>
/// An account's security event — a sign-in, a failure, a lockout, a change of its factors — that the organizations
/// the account belongs to must see as well: the evidence an access review (ISO 27001 A.5.18, A.8.5) asks for. Recorded
/// on the system chain as before and copied into the chain of every organization the account (the event's target
/// user) is a member of at that moment (<see cref="MemberEventCopier"/>): from joining on, never before, never after
/// leaving. Implies <see cref="AuditChains.Both"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class MemberSecurityEventAttribute : Attribute;
