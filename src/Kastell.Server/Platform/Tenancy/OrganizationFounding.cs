using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Tenancy;

/// <summary>
/// Founds an organization: the row with a unique slug, its first owner (membership row and tuple, through
/// <see cref="Memberships"/>) and <see cref="TenancyEvents.OrganizationCreated"/> as the first event of its own chain —
/// all in the caller's unit of work, which then saves. One path for sign-up, the "new organization" page and the
/// <c>create-organization</c> verb, so an organization cannot come into being without its owner or its record.
/// The caller's scope enters the new organization (a scope founds one organization at most).
/// </summary>
public sealed class OrganizationFounding(KastellDbContext db, Tenant tenant, Memberships memberships, IAuditLog audit, TimeProvider time)
{
    public const int MaxNameLength = 200;

    /// <summary>A name that can be shown everywhere: trimmed, 1 to 200 characters, no control characters.</summary>
    public static string? CleanName(string? name) =>
        name?.Trim() is { Length: > 0 and <= MaxNameLength } trimmed && !trimmed.Any(char.IsControl) ? trimmed : null;

    public async Task<Organization> FoundAsync(string name, Guid ownerId, AuditActor actor, IReadOnlyDictionary<string, string>? details = null, CancellationToken cancellationToken = default)
    {
        var organization = new Organization
        {
            Id = Guid.CreateVersion7(),
            Name = CleanName(name) ?? throw new ArgumentException("Check the name with CleanName first.", nameof(name)),
            Slug = await UniqueSlugAsync(name, cancellationToken),
            CreatedAt = time.GetUtcNow(),
        };
        db.Organizations.Add(organization);
        tenant.Enter(organization.Id);
        await memberships.AddToOrganizationAsync(organization.Id, ownerId, OrganizationRole.Owner, cancellationToken);
        audit.Record(new(TenancyEvents.OrganizationCreated, actor, AuditTarget.Organization(organization.Id), Details: details));
        return organization;
    }

    private async Task<string> UniqueSlugAsync(string name, CancellationToken cancellationToken)
    {
        var stem = Slugs.From(name);
        var candidate = stem;
        for (var n = 2; await db.Organizations.AnyAsync(o => o.Slug == candidate, cancellationToken); n++)
        {
            candidate = $"{stem}-{n}";
        }

        return candidate;
    }
}
