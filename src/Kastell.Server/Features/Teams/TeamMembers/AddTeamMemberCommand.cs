using Kastell.Server.Features.Teams.ManageTeams;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Teams.TeamMembers;

/// <summary>
/// Puts a member of the organization, or another of its teams, into a team. A person must be a member of the
/// organization; a team must be one of its teams and must not already contain this team (directly or through others):
/// a cycle would grant nothing, but it would make every membership list misleading.
/// </summary>
internal sealed class AddTeamMemberCommand(KastellDbContext db, Permissions permissions, Memberships memberships, CurrentActor actor, IAuditLog audit)
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

        bool added;
        if (subject.Kind == SubjectKind.Person)
        {
            if (!await db.OrganizationMembers.AnyAsync(m => m.UserId == subject.Id, cancellationToken))
            {
                return TeamsErrors.MemberInvalid;
            }

            added = await memberships.AddUserToTeamAsync(team.Id, subject.Id, cancellationToken);
        }
        else
        {
            if (!await db.Teams.AnyAsync(t => t.Id == subject.Id, cancellationToken))
            {
                return TeamsErrors.MemberInvalid;
            }

            // Nesting B in A makes B's members A's members; if A is already among B's members (A = B, or through
            // other teams), the teams would contain each other.
            if (subject.Id == team.Id || await permissions.HoldsAsync(Permissions.Object("team", subject.Id), "member", Memberships.TeamMembers(team.Id), cancellationToken))
            {
                return TeamsErrors.Cycle;
            }

            added = await memberships.AddTeamToTeamAsync(team.Id, subject.Id, cancellationToken);
        }

        if (added)
        {
            audit.Record(new(TeamEvents.TeamMemberAdded, actor.Actor, TeamNames.Target(team.Id), Details: new Dictionary<string, string> { ["member"] = subject.ToString() }));
            await db.SaveChangesAsync(cancellationToken);
        }

        return Result.Done;
    }
}
