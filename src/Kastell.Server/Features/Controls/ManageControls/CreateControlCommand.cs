using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Features.Controls.ManageControls;

/// <summary>Creates a control in the request's Space (status planned, no owner yet); its Space is a tuple written with the row.</summary>
internal sealed class CreateControlCommand(KastellDbContext db, Tenant tenant, Permissions permissions, RelationshipWriter relationships, CurrentActor actor, TimeProvider time, IAuditLog audit)
{
    public async Task<Result<Control>> ExecuteAsync(string? title, string? description, CancellationToken cancellationToken = default)
    {
        var space = tenant.RequireSpace();
        if (!await permissions.RequireAsync("space", space.Id, "can_edit_controls", cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        if (ControlNames.Clean(title, Control.MaxTitleLength, required: true) is not { } cleanTitle
            || ControlNames.Clean(description, Control.MaxDescriptionLength, required: false, multiline: true) is not { } cleanDescription)
        {
            return ControlsErrors.ControlInvalid;
        }

        var now = time.GetUtcNow();
        var control = new Control
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = space.OrganizationId,
            SpaceId = space.Id,
            Title = cleanTitle,
            Description = cleanDescription,
            Status = ControlStatus.Planned,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Controls.Add(control);
        await relationships.GrantAsync(Permissions.Object("control", control.Id), "space", Permissions.Object("space", space.Id), cancellationToken);
        audit.Record(new(ControlEvents.ControlCreated, actor.Actor, ControlNames.Target(control.Id), Details: new Dictionary<string, string>
        {
            ["space"] = space.Id.ToString(),
            ["title"] = cleanTitle.Length <= 100 ? cleanTitle : cleanTitle[..100],
        }));
        await db.SaveChangesAsync(cancellationToken);
        return control;
    }
}
