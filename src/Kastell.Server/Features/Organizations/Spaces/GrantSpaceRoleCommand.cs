using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Organizations.Spaces;

/// <summary>
/// Gives a member of the organization, or all members of one of its teams, exactly one role in the request's Space
/// (replacing the role they had). Whoever manages the Space's members may. A person outside the organization or a team
/// of another organization is refused as bad input, like one that does not exist.
/// </summary>
internal sealed class GrantSpaceRoleCommand(KastellDbContext db, Tenant tenant, Permissions permissions, Memberships memberships, CurrentActor actor, IAuditLog audit)
{
    public async Task<Result> ExecuteAsync(string? subjectValue, SpaceRole? role, CancellationToken cancellationToken = default)
    {
        var space = tenant.RequireSpace();
        if (!await permissions.RequireAsync("space", space.Id, "can_manage_members", cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        if (role is not { } granted)
        {
            return OrganizationErrors.SpaceRoleInvalid;
        }

        if (!Subject.TryParse(subjectValue, out var subject) || !await ExistsAsync(subject, cancellationToken))
        {
            return OrganizationErrors.SpaceMemberInvalid;
        }

        var previous = subject.Kind == SubjectKind.Person
            ? await memberships.SetSpaceRoleAsync(space, subject.Id, granted, cancellationToken)
            : await memberships.SetTeamSpaceRoleAsync(space, subject.Id, granted, cancellationToken);
        if (previous == granted)
        {
            return Result.Done;
        }

        var details = new Dictionary<string, string> { ["subject"] = subject.ToString(), ["role"] = granted.ToString() };
        if (previous is { } before)
        {
            details["previous"] = before.ToString();
        }

        audit.Record(new(OrganizationEvents.SpaceRoleGranted, actor.Actor, AuditTarget.Space(space.Id), Details: details));
        await db.SaveChangesAsync(cancellationToken);
        return Result.Done;
    }

    private async Task<bool> ExistsAsync(Subject subject, CancellationToken cancellationToken) => subject.Kind == SubjectKind.Person
        ? await db.OrganizationMembers.AnyAsync(m => m.UserId == subject.Id, cancellationToken)
        : await db.Teams.AnyAsync(t => t.Id == subject.Id, cancellationToken);
}
