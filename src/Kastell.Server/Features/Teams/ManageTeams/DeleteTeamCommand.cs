using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Teams.ManageTeams;

/// <summary>
/// Deletes a team with every relation that names it (its members, its place in other teams, its Space roles), in one
/// unit of work: its former members keep only what they hold otherwise, from their very next request.
/// </summary>
internal sealed class DeleteTeamCommand(KastellDbContext db, Permissions permissions, Memberships memberships, CurrentActor actor, IAuditLog audit)
{
    public async Task<Result> ExecuteAsync(Guid teamId, CancellationToken cancellationToken = default)
    {
        var team = await db.Teams.SingleOrDefaultAsync(t => t.Id == teamId, cancellationToken);
        if (team is null)
        {
            return Failures.NotFound;
        }

        if (!await permissions.RequireAsync("team", team.Id, "can_manage", cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        await memberships.RemoveTeamAsync(team, cancellationToken);
        audit.Record(new(TeamEvents.TeamDeleted, actor.Actor, TeamNames.Target(team.Id), Details: new Dictionary<string, string> { ["name"] = team.Name }));
        await db.SaveChangesAsync(cancellationToken);
        return Result.Done;
    }
}
