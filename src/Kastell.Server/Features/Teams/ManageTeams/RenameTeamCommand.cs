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
    /// <param name="precondition">Checked against the stored team with its row locked (an API rename's If-Match); false refuses with 412 and changes nothing.</param>
    public async Task<Result> ExecuteAsync(Guid teamId, string name, Func<Team, bool>? precondition = null, CancellationToken cancellationToken = default)
    {
        if (!await db.Teams.AnyAsync(t => t.Id == teamId, cancellationToken))
        {
            return Failures.NotFound;
        }

        if (!await permissions.RequireAsync("team", teamId, "can_manage", auditAllow: true, cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        if (TeamNames.Clean(name) is not { } clean)
        {
            return TeamsErrors.NameInvalid;
        }

        var normalized = Team.Normalize(clean);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockTeamAsync(teamId, cancellationToken);
        if (await db.Teams.SingleOrDefaultAsync(t => t.Id == teamId, cancellationToken) is not { } team)
        {
            return Failures.NotFound;
        }

        if (precondition is not null && !precondition(team))
        {
            return Platform.Http.Api.ApiErrors.PreconditionFailed;
        }

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
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another request took the name between the check and the save: the unique index decided. Nothing of
            // this change may be saved later by accident (and PostgreSQL takes no further statement in this transaction).
            db.ChangeTracker.Clear();
            await transaction.RollbackAsync(CancellationToken.None);
            if (await db.Teams.AsNoTracking().AnyAsync(t => t.NormalizedName == normalized && t.Id != teamId, CancellationToken.None))
            {
                return TeamsErrors.NameTaken;
            }

            throw;
        }

        return Result.Done;
    }
}
