using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Features.Organizations;

/// <summary>The Organizations feature's events: members, invitations, settings, deletion (block 1501–1999) and Spaces (2000–2009).</summary>
[AuditEventBlock(1501, 1999)]
[AuditEventBlock(2000, 2009)]
public static class OrganizationEvents
{
    public static readonly AuditEventType MemberInvited = new(1501);

    public static readonly AuditEventType MemberAdded = new(1502);

    public static readonly AuditEventType MemberRoleChanged = new(1503);

    public static readonly AuditEventType InvitationRevoked = new(1504);

    public static readonly AuditEventType InvitationAccepted = new(1505);

    public static readonly AuditEventType PasswordPolicyChanged = new(1506);

    public static readonly AuditEventType MemberRevoked = new(1511);

    public static readonly AuditEventType OrganizationDeleted = new(1512);

    /// <summary>An invitation refused because the inviter's or the organization's hourly budget was spent.</summary>
    public static readonly AuditEventType InvitationThrottled = new(1530);

    public static readonly AuditEventType SpaceCreated = new(2000);

    public static readonly AuditEventType SpaceDeleted = new(2001);

    /// <summary>A person or a team was given a role in a Space (or another one); details name the subject, the role and the one before.</summary>
    public static readonly AuditEventType SpaceRoleGranted = new(2002);

    public static readonly AuditEventType SpaceRoleRevoked = new(2003);
}
