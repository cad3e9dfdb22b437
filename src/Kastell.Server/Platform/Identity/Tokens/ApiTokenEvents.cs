using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Platform.Identity.Tokens;

/// <summary>The platform's API token events (block 5100–5109): each use of a token, and each refused one.</summary>
[AuditEventBlock(5100, 5109)]
public static class ApiTokenEvents
{
    /// <summary>An API request made with a token (the token is the actor): method, endpoint and status in the details.</summary>
    public static readonly AuditEventType ApiTokenUsed = new(5100);

    /// <summary>A revoked or expired token was presented; recorded on its organization's chain, the caller learns nothing.</summary>
    public static readonly AuditEventType ApiTokenRefused = new(5101);
}
