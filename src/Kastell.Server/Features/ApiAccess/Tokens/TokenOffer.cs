using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.ApiAccess.Tokens;

/// <summary>
/// What a token form offers a subject in the request's organization: the Spaces it reads and the permissions it holds
/// somewhere (the same rule <see cref="CreateApiTokenCommand"/> enforces for the ones ticked).
/// </summary>
public sealed class TokenOffer(KastellDbContext db, Permissions permissions, TokenPermissionCatalog catalog, Platform.Tenancy.Tenant tenant)
{
    public async Task<(IReadOnlyList<(Guid Id, string Name)> Spaces, IReadOnlyList<TokenPermission> Permissions)> ForAsync(string subject, CancellationToken cancellationToken = default)
    {
        var organization = tenant.RequireOrganizationId();
        var readable = await permissions.SubjectObjectsAsync(subject, "space", "can_read", cancellationToken);
        var spaces = (await db.Spaces.AsNoTracking().Where(s => readable.Contains(s.Id)).OrderBy(s => s.Name).Select(s => new { s.Id, s.Name }).ToListAsync(cancellationToken))
            .Select(s => (s.Id, s.Name)).ToList();
        var offered = new List<TokenPermission>();
        foreach (var permission in catalog.All)
        {
            var held = permission.Type switch
            {
                "organization" => await permissions.SubjectHoldsAsync(subject, "organization", organization, permission.Permission, cancellationToken),
                "space" => (await permissions.SubjectObjectsAsync(subject, "space", permission.Permission, cancellationToken)).Count > 0,
                _ => spaces.Count > 0,
            };
            if (held)
            {
                offered.Add(permission);
            }
        }

        return (spaces, offered);
    }
}
