namespace Kastell.Server.Platform.Audit;

/// <summary>
/// What happened: a number that is stored and hashed into the chain, so it is stable forever — never renumber or
/// reuse one. Each area defines its events in its own folder, in a static class marked with
/// <see cref="AuditEventBlockAttribute"/> naming its block from <see cref="AuditEventBlocks"/>; the field's name is the
/// event's name in exports, the SIEM feed and the audit page (<c>AuditEvent&lt;Name&gt;</c> in the strings).
/// </summary>
public readonly record struct AuditEventType(int Value)
{
    /// <summary>The defining field's name, e.g. <c>FileUploaded</c>; the number for one no area defines (an old record).</summary>
    public string Name => AuditEventCatalog.NameOf(this) ?? Value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public override string ToString() => Name;
}

/// <summary>
/// The blocks of event numbers, one per area; a new area takes a reserved block (or the next free one) and lists it
/// here. Numbers below existed before blocks were assigned to owners and keep their values, which is why some
/// blocks are narrow (1500 is the platform's, 1501–1999 the Organizations feature's).
/// </summary>
public static class AuditEventBlocks
{
    public static IReadOnlyList<AuditEventBlockAttribute> All { get; } =
    [
        new(1000, 1499, "Accounts: sign-in, MFA, sessions, passwords, the account's e-mail (Features/Accounts)"),
        new(1500, 1500, "Tenancy: organizations created (Platform/Tenancy)"),
        new(1501, 1999, "Organizations: members, invitations, organization settings and deletion (Features/Organizations)"),
        new(2000, 2009, "Spaces and their members (Features/Organizations)"),
        new(2010, 2014, "Uploads: scanning, quarantine (Platform/Storage)"),
        new(2015, 2099, "Files of a Space (Features/Files)"),
        new(2100, 2199, "Teams and their members (Features/Teams)"),
        new(3000, 3099, "Frameworks and catalogs: imports and versions (Features/Frameworks)"),
        new(3100, 3199, "Controls and the statement of applicability (reserved)"),
        new(3200, 3299, "Assets (Features/Assets)"),
        new(3300, 3399, "Evidence and sealed audit periods (Features/Evidence)"),
        new(3400, 3499, "Risks (reserved)"),
        new(3500, 3599, "Policies (reserved)"),
        new(3600, 3699, "Incidents (reserved)"),
        new(3700, 3799, "Vulnerabilities (reserved)"),
        new(3800, 3899, "Suppliers and sub-processors (reserved)"),
        new(3900, 3999, "Trainings (reserved)"),
        new(4000, 4099, "Internal audits, management and access reviews (reserved)"),
        new(4100, 4199, "Trust center (reserved)"),
        new(5000, 5049, "Single sign-on connections and sign-ins (Features/SingleSignOn)"),
        new(5050, 5099, "Verified domains (Features/Domains)"),
        new(5100, 5109, "API tokens: every use, refused tokens (Platform/Identity/Tokens)"),
        new(5110, 5199, "API tokens and service accounts: created, revoked, disabled (Features/ApiAccess)"),
        new(6000, 6099, "Backups and restore tests (reserved)"),
        new(7000, 7099, "Keys and encryption (reserved)"),
        new(8000, 8099, "The audit trail: export, retention (Features/AuditTrail)"),
        new(9000, 9099, "Authorization decisions (Platform/Audit)"),
        new(9100, 9109, "E-mail delivery: dead letters and retries (Platform/Email)"),
    ];
}

/// <summary>Marks a static class whose <see cref="AuditEventType"/> fields are one area's events, all inside its block.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class AuditEventBlockAttribute(int first, int last, string area = "") : Attribute
{
    public int First { get; } = first;

    public int Last { get; } = last;

    public string Area { get; } = area;

    public bool Contains(AuditEventType type) => type.Value >= First && type.Value <= Last;
}

/// <summary>The platform's own events: authorization decisions (block 9000–9099), in whichever chain the request was.</summary>
[AuditEventBlock(9000, 9099)]
[RecordedIn(AuditChains.Both)]
public static class AuthorizationEvents
{
    /// <summary>A caller refused a permission; details say which and why (the engine's explanation).</summary>
    public static readonly AuditEventType AuthorizationDenied = new(9000);

    /// <summary>A sensitive permission allowed (audit reading and export, member and team management, keys, deletions), with the relation path that allowed it.</summary>
    public static readonly AuditEventType AuthorizationGranted = new(9001);
}

/// <summary>How the recorded action ended. Stored as a number and hashed: append only.</summary>
public enum AuditOutcome
{
    Succeeded = 0,
    Failed = 1,
    Denied = 2,
}
