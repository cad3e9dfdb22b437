using Kastell.Server.Features.Teams.ManageTeams;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Teams.TeamMembers;

/// <summary>Takes a person or a nested team out of a team; what they held only through it ends with their next request.</summary>
internal sealed class RemoveTeamMemberCommand(KastellDbContext db, Permissions permissions, Memberships memberships, CurrentActor actor, IAuditLog audit)
{
    public async Task<Result> ExecuteAsync(Guid teamId, string? member, CancellationToken cancellationToken = default)
    {
        var team = await db.Teams.AsNoTracking().SingleOrDefaultAsync(t => t.Id == teamId, cancellationToken);
        if (team is null)
        {
            return Failures.NotFound;
        }

        if (!await permissions.RequireAsync("team", team.Id, "can_manage", cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        if (!Subject.TryParse(member, out var subject))
        {
            return TeamsErrors.MemberInvalid;
        }

        if (!await memberships.RemoveFromTeamAsync(team.Id, subject.TupleUser, cancellationToken))
        {
            return Failures.NotFound;
        }

        audit.Record(new(TeamEvents.TeamMemberRemoved, actor.Actor, TeamNames.Target(team.Id), Details: new Dictionary<string, string> { ["member"] = subject.ToString() }));
        await db.SaveChangesAsync(cancellationToken);
        return Result.Done;
    }
}
