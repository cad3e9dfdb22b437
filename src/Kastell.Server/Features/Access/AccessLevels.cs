namespace Kastell.Server.Features.Access;

/// <summary>A permission shown as a level of access, with its text.</summary>
public sealed record AccessLevel(string Permission, string TextKey);

/// <summary>
/// The permissions a "who has access" page lists per object type, strongest first: each person is shown at the
/// strongest level they hold, with every path to it. These are permissions of the model, never roles: how a role
/// comes to hold them is the model's to say, and the page shows it.
/// </summary>
internal static class AccessLevels
{
    public static readonly IReadOnlyList<AccessLevel> Organization =
    [
        new("can_administer", "AccessLevelAdminister"),
        new("can_read_audit", "AccessLevelReadAudit"),
        new("can_read", "AccessLevelRead"),
    ];

    public static readonly IReadOnlyList<AccessLevel> Space =
    [
        new("can_manage", "AccessLevelManage"),
        new("can_edit", "AccessLevelEdit"),
        new("can_read", "AccessLevelRead"),
    ];

    public static readonly IReadOnlyList<AccessLevel> File =
    [
        new("can_delete", "AccessLevelDelete"),
        new("can_read", "AccessLevelRead"),
    ];
}
