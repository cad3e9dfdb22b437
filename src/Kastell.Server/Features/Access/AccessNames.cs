using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Access;

/// <summary>How an object on an access path is shown: its name and, where it has a page, the link to it.</summary>
public sealed record NamedObject(string Name, string? Href);

/// <summary>Names the objects and people on access paths, in one query per type (tenant-filtered: only this organization's).</summary>
public sealed class AccessNames(KastellDbContext db, Tenant tenant)
{
    private readonly Dictionary<(string Type, Guid Id), NamedObject> _names = [];

    public IReadOnlyDictionary<(string Type, Guid Id), NamedObject> Names => _names;

    /// <summary>Loads the names of every object the reasons mention.</summary>
    public async Task LoadAsync(IEnumerable<AccessReason> reasons, CancellationToken cancellationToken = default)
    {
        var wanted = reasons.SelectMany(r => r.Chain.Concat(r.Conditions.SelectMany(c => c)))
            .Where(s => s.ObjectId is not null)
            .Select(s => (s.ObjectType, Id: s.ObjectId!.Value))
            .Where(k => !_names.ContainsKey(k))
            .ToHashSet();
        var organization = tenant.RequireOrganization();
        foreach (var (type, id) in wanted.Where(k => k.ObjectType == "organization"))
        {
            _names[(type, id)] = id == organization.Id ? new(organization.Name, TenantRoutes.OrganizationPath(organization)) : new(id.ToString("D"), null);
        }

        var spaces = wanted.Where(k => k.ObjectType == "space").Select(k => k.Id).ToList();
        foreach (var space in await db.Spaces.AsNoTracking().Where(s => spaces.Contains(s.Id)).ToListAsync(cancellationToken))
        {
            _names[("space", space.Id)] = new(space.Name, TenantRoutes.SpacePath(organization, space));
        }

        var teams = wanted.Where(k => k.ObjectType == "team").Select(k => k.Id).ToList();
        foreach (var team in await db.Teams.AsNoTracking().Where(t => teams.Contains(t.Id)).Select(t => new { t.Id, t.Name }).ToListAsync(cancellationToken))
        {
            _names[("team", team.Id)] = new(team.Name, TenantRoutes.OrganizationPath(organization, $"/teams/{team.Id:D}"));
        }

        var files = wanted.Where(k => k.ObjectType == "file").Select(k => k.Id).ToList();
        foreach (var file in await db.StoredObjects.AsNoTracking().Where(f => files.Contains(f.Id)).ToListAsync(cancellationToken))
        {
            _names[("file", file.Id)] = new(file.FileName, null);
        }
    }

    public NamedObject Of(AccessStep step) =>
        step.ObjectId is { } id && _names.TryGetValue((step.ObjectType, id), out var named) ? named : new(step.ObjectId?.ToString("D") ?? "?", null);

    /// <summary>The people by id: display name and e-mail address.</summary>
    public async Task<IReadOnlyDictionary<Guid, (string Name, string Email)>> PeopleAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default) =>
        (await db.Set<KastellUser>().AsNoTracking().Where(u => ids.Contains(u.Id)).Select(u => new { u.Id, u.DisplayName, u.Email }).ToListAsync(cancellationToken))
            .ToDictionary(u => u.Id, u => (u.DisplayName, u.Email ?? ""));
}
