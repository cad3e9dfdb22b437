using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Teams.ManageTeams;

/// <summary>Creates a team in the request's organization (whoever may manage its teams). Names are unique regardless of case.</summary>
internal sealed class CreateTeamCommand(KastellDbContext db, Tenant tenant, Permissions permissions, Memberships memberships, CurrentActor actor, TimeProvider time, IAuditLog audit)
{
    public async Task<Result<Team>> ExecuteAsync(string name, CancellationToken cancellationToken = default)
    {
        var organizationId = tenant.RequireOrganizationId();
        if (!await permissions.RequireAsync("organization", organizationId, "can_manage_teams", auditAllow: true, cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        if (TeamNames.Clean(name) is not { } clean)
        {
            return TeamsErrors.NameInvalid;
        }

        var normalized = Team.Normalize(clean);
        if (await db.Teams.AnyAsync(t => t.NormalizedName == normalized, cancellationToken))
        {
            return TeamsErrors.NameTaken;
        }

        var team = new Team { Id = Guid.CreateVersion7(), OrganizationId = organizationId, Name = clean, NormalizedName = normalized, CreatedAt = time.GetUtcNow() };
        await memberships.AddTeamAsync(team, cancellationToken);
        audit.Record(new(TeamEvents.TeamCreated, actor.Actor, TeamNames.Target(team.Id), Details: new Dictionary<string, string> { ["name"] = clean }));
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

        return team;
    }
}
