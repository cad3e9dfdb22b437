using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Features.Organizations.Spaces;

/// <summary>Takes a person's or a team's role in the request's Space away; what they hold through the organization or other teams stays.</summary>
internal sealed class RevokeSpaceRoleCommand(KastellDbContext db, Tenant tenant, Permissions permissions, Memberships memberships, CurrentActor actor, IAuditLog audit)
{
    public async Task<Result> ExecuteAsync(string? subjectValue, CancellationToken cancellationToken = default)
    {
        var space = tenant.RequireSpace();
        if (!await permissions.RequireAsync("space", space.Id, "can_manage_members", cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        if (!Subject.TryParse(subjectValue, out var subject))
        {
            return OrganizationErrors.SpaceMemberInvalid;
        }

        var previous = subject.Kind == SubjectKind.Person
            ? await memberships.RemoveFromSpaceAsync(space, subject.Id, cancellationToken)
            : await memberships.RemoveTeamFromSpaceAsync(space, subject.Id, cancellationToken);
        if (previous is not { } role)
        {
            return Failures.NotFound;
        }

        audit.Record(new(OrganizationEvents.SpaceRoleRevoked, actor.Actor, AuditTarget.Space(space.Id),
            Details: new Dictionary<string, string> { ["subject"] = subject.ToString(), ["role"] = role.ToString() }));
        await db.SaveChangesAsync(cancellationToken);
        return Result.Done;
    }
}
