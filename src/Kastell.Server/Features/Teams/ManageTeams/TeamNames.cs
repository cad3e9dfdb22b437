using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Features.Teams.ManageTeams;

/// <summary>What a team name may be, and how a team is named in audit entries.</summary>
internal static class TeamNames
{
    /// <summary>The name trimmed, or null when it is empty, too long or holds control characters.</summary>
    public static string? Clean(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        return trimmed.Length is 0 or > Team.MaxNameLength || trimmed.Any(char.IsControl) ? null : trimmed;
    }

    public static AuditTarget Target(Guid teamId) => new("team", teamId.ToString());
}
