using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Features.Teams;

/// <summary>The Teams feature's events (block 2100–2199): teams and their members. Space roles given to a team are the Organizations feature's.</summary>
[AuditEventBlock(2100, 2199)]
public static class TeamEvents
{
    public static readonly AuditEventType TeamCreated = new(2100);

    public static readonly AuditEventType TeamRenamed = new(2101);

    public static readonly AuditEventType TeamDeleted = new(2102);

    public static readonly AuditEventType TeamMemberAdded = new(2103);

    public static readonly AuditEventType TeamMemberRemoved = new(2104);
}
