using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Teams.ManageTeams;

/// <summary>Renames a team of the request's organization; a team of another organization is not found.</summary>
internal sealed class RenameTeamCommand(KastellDbContext db, Permissions permissions, CurrentActor actor, IAuditLog audit)
{
    public async Task<Result> ExecuteAsync(Guid teamId, string name, CancellationToken cancellationToken = default)
    {
        var team = await db.Teams.SingleOrDefaultAsync(t => t.Id == teamId, cancellationToken);
        if (team is null)
        {
            return Failures.NotFound;
        }

        if (!await permissions.RequireAsync("team", team.Id, "can_manage", auditAllow: true, cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        if (TeamNames.Clean(name) is not { } clean)
        {
            return TeamsErrors.NameInvalid;
        }

        var normalized = Team.Normalize(clean);
        if (await db.Teams.AnyAsync(t => t.NormalizedName == normalized && t.Id != team.Id, cancellationToken))
        {
            return TeamsErrors.NameTaken;
        }

        var previous = team.Name;
        team.Name = clean;
        team.NormalizedName = normalized;
        audit.Record(new(TeamEvents.TeamRenamed, actor.Actor, TeamNames.Target(team.Id), Details: new Dictionary<string, string> { ["from"] = previous, ["to"] = clean }));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another request took the name between the check and the save: the unique index decided. Nothing of
            // this change may be saved later by accident.
            db.ChangeTracker.Clear();
            if (await db.Teams.AsNoTracking().AnyAsync(t => t.NormalizedName == normalized && t.Id != team.Id, CancellationToken.None))
            {
                return TeamsErrors.NameTaken;
            }

            throw;
        }

        return Result.Done;
    }
}
