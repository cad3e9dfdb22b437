using Kastell.Server.Platform.Http;

namespace Kastell.Server.Features.Teams;

/// <summary>The Teams feature's expected failures (codes documented in docs/error-codes.md).</summary>
internal static class TeamsErrors
{
    public static readonly Failure NameInvalid = new("team.name-invalid", StatusCodes.Status400BadRequest, "TeamNameInvalid");

    public static readonly Failure NameTaken = new("team.name-taken", StatusCodes.Status409Conflict, "TeamNameTaken");

    public static readonly Failure MemberInvalid = new("team.member-invalid", StatusCodes.Status400BadRequest, "TeamMemberInvalid");

    public static readonly Failure Cycle = new("team.cycle", StatusCodes.Status409Conflict, "TeamCycle");
}
