using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Storage;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Organizations.Spaces;

/// <summary>Creates a Space in the request's organization; only organization owners and admins may.</summary>
/// <remarks>The Space's storage container is created first; if saving the Space fails, it is removed again.</remarks>
internal sealed class CreateSpaceCommand(KastellDbContext db, Tenant tenant, Permissions permissions, Memberships memberships, TimeProvider time, IAuditLog audit, IObjectStore storage)
{
    /// <param name="managerId">The person who becomes the new Space's manager (the creator; none for a service account, whose admins manage it anyway).</param>
    public async Task<Result<Space>> ExecuteAsync(Guid? managerId, AuditActor actor, string name, CancellationToken cancellationToken = default)
    {
        var organization = tenant.RequireOrganization();
        if (!await permissions.RequireAsync("organization", tenant.RequireOrganizationId(), "can_create_space", cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        name = name.Trim();
        if (name.Length is 0 or > 200)
        {
            return OrganizationErrors.SpaceNameInvalid;
        }

        var stem = Slugs.From(name);
        var slug = stem;
        for (var n = 2; await db.Spaces.AnyAsync(s => s.Slug == slug, cancellationToken); n++)
        {
            slug = $"{stem}-{n}";
        }

        var space = new Space
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = organization.Id,
            Name = name,
            Slug = slug,
            CreatedAt = time.GetUtcNow(),
        };
        await memberships.AddSpaceAsync(space, cancellationToken);
        if (managerId is { } manager)
        {
            await memberships.AddToSpaceAsync(space, manager, SpaceRole.Manager, cancellationToken);
        }

        audit.Record(new(OrganizationEvents.SpaceCreated, actor, AuditTarget.Space(space.Id)));
        var container = StorageContainers.OfSpace(space.Id);
        await storage.CreateContainerAsync(container, cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch
        {
            await storage.DeleteContainerAsync(container, CancellationToken.None);
            throw;
        }

        return space;
    }
}
