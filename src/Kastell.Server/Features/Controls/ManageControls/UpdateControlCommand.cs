using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Controls.ManageControls;

/// <summary>What the control's form sends: every field, as typed (validated here).</summary>
public sealed record ControlChange(string? Title, string? Description, string? Status, string? Owner);

/// <summary>
/// Changes a control's title, description, status and owner. The owner is a person of the organization or one of its
/// teams (<c>user:…</c>/<c>team:…</c>, empty for none), kept as the <c>control#owner</c> tuple, replaced in the same
/// unit of work as the row.
/// </summary>
internal sealed class UpdateControlCommand(KastellDbContext db, Tenant tenant, Permissions permissions, RelationshipReader reader, RelationshipWriter relationships, CurrentActor actor, TimeProvider time, IAuditLog audit)
{
    /// <param name="precondition">Checked against the stored control and owner with the row locked (an API update's If-Match); false refuses with 412 and changes nothing.</param>
    public async Task<Result> ExecuteAsync(Guid controlId, ControlChange change, Func<Control, Subject?, bool>? precondition = null, CancellationToken cancellationToken = default)
    {
        var space = tenant.RequireSpace();
        if (!await db.Controls.AnyAsync(c => c.Id == controlId && c.SpaceId == space.Id, cancellationToken))
        {
            return Failures.NotFound;
        }

        if (!await permissions.RequireAsync("control", controlId, "can_edit", cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        if (ControlNames.Clean(change.Title, Control.MaxTitleLength, required: true) is not { } title
            || ControlNames.Clean(change.Description, Control.MaxDescriptionLength, required: false, multiline: true) is not { } description)
        {
            return ControlsErrors.ControlInvalid;
        }

        if (FormValues.Named<ControlStatus>(change.Status) is not { } status)
        {
            return ControlsErrors.StatusInvalid;
        }

        Subject? owner = null;
        if (!string.IsNullOrEmpty(change.Owner))
        {
            if (!Subject.TryParse(change.Owner, out var subject) || !await IsOfTheOrganizationAsync(subject, cancellationToken))
            {
                return ControlsErrors.OwnerInvalid;
            }

            owner = subject;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await ControlLocks.LockControlAsync(db, controlId, cancellationToken);
        var control = await db.Controls.SingleAsync(c => c.Id == controlId, cancellationToken);
        var @object = Permissions.Object("control", control.Id);
        var owners = (await reader.OfObjectAsync(@object, ["owner"], cancellationToken)).Select(t => t.User).ToList();
        if (precondition is not null && !precondition(control, owners.Select(o => Subject.TryParse(o, out var s) ? s : (Subject?)null).FirstOrDefault(s => s is not null)))
        {
            return Platform.Http.Api.ApiErrors.PreconditionFailed;
        }

        var changed = new Dictionary<string, string>();
        if (control.Title != title)
        {
            changed["title"] = title.Length <= 100 ? title : title[..100];
        }

        if (control.Description != description)
        {
            changed["description"] = "changed";
        }

        if (control.Status != status)
        {
            changed["status"] = status.ToString();
        }

        var wanted = owner?.TupleUser;
        if (owners.Count != (wanted is null ? 0 : 1) || (wanted is not null && owners[0] != wanted))
        {
            foreach (var previous in owners)
            {
                await relationships.RevokeAsync(@object, "owner", previous, cancellationToken);
            }

            if (wanted is not null)
            {
                await relationships.GrantAsync(@object, "owner", wanted, cancellationToken);
            }

            changed["owner"] = owner?.ToString() ?? "";
        }

        if (changed.Count == 0)
        {
            return Result.Done;
        }

        control.Title = title;
        control.Description = description;
        control.Status = status;
        control.UpdatedAt = time.GetUtcNow();
        audit.Record(new(ControlEvents.ControlUpdated, actor.Actor, ControlNames.Target(control.Id), Details: changed));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Result.Done;
    }

    private async Task<bool> IsOfTheOrganizationAsync(Subject subject, CancellationToken cancellationToken) =>
        subject.Kind == SubjectKind.Person
            ? await db.OrganizationMembers.AnyAsync(m => m.UserId == subject.Id, cancellationToken)
            : await db.Teams.AnyAsync(t => t.Id == subject.Id, cancellationToken);
}
