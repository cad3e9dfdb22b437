using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Features.ApiAccess;

/// <summary>The ApiAccess feature's events: tokens and service accounts managed (block 5110–5199).</summary>
[AuditEventBlock(5110, 5199)]
public static class ApiAccessEvents
{
    public static readonly AuditEventType PersonalTokenCreated = new(5110);

    public static readonly AuditEventType ApiTokenRevoked = new(5111);

    public static readonly AuditEventType ServiceAccountCreated = new(5112);

    public static readonly AuditEventType ServiceAccountDisabled = new(5113);

    public static readonly AuditEventType ServiceAccountTokenCreated = new(5114);

    public static readonly AuditEventType ServiceAccountSpaceRoleGranted = new(5115);
}
