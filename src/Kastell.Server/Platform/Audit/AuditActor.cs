namespace Kastell.Server.Platform.Audit;

/// <summary>Who acted. Stored as a number and hashed: append only.</summary>
public enum AuditActorKind
{
    /// <summary>Nobody is signed in yet, e.g. a failed password attempt.</summary>
    Anonymous = 0,
    User = 1,
    ApiToken = 2,
    System = 3,
}

/// <summary>An explicit actor: every event says who did it, never "whoever the ambient context was".</summary>
public readonly record struct AuditActor(AuditActorKind Kind, string? Id)
{
    public static AuditActor Anonymous { get; } = new(AuditActorKind.Anonymous, null);

    public static AuditActor User(Guid userId) => new(AuditActorKind.User, userId.ToString());

    public static AuditActor System(string job) => new(AuditActorKind.System, job);

    /// <summary>An API token: every request made with it is recorded with the token, not its owner, as the actor.</summary>
    public static AuditActor ApiToken(Guid tokenId) => new(AuditActorKind.ApiToken, tokenId.ToString());
}

/// <summary>The object an event is about, e.g. <c>("space", id)</c>.</summary>
public readonly record struct AuditTarget(string Type, string? Id)
{
    public static AuditTarget User(Guid id) => new("user", id.ToString());

    public static AuditTarget Organization(Guid id) => new("organization", id.ToString());

    public static AuditTarget Space(Guid? id) => new("space", id?.ToString());

    public static AuditTarget Session(string handle) => new("session", handle);

    public static AuditTarget Invitation(Guid id) => new("invitation", id.ToString());

    /// <summary>
    /// An address typed into a public form that may name no account: kept only as a keyed pseudonym, so repeated
    /// attempts on one address can be grouped without storing what people typed (sometimes a password).
    /// </summary>
    public static AuditTarget TypedAccount(AuditSigningKey key, string email) => new("account", key.Pseudonym(email.Trim().ToUpperInvariant()));
}
