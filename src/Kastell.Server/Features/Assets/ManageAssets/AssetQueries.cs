using Kastell.Server.Features.Assets.Inheritance;
using Kastell.Server.Features.Teams;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Assets.ManageAssets;

/// <summary>An asset as lists show it: kind, owner (a person or a team), effective needs per goal and the highest of them.</summary>
public sealed record AssetRow(Guid Id, string Name, AssetKind Kind, Subject? Owner, string? OwnerName, IReadOnlyList<EffectiveNeed> Needs)
{
    public ProtectionLevel Highest => Needs.Max(n => n.Level);
}

/// <summary>How the list is sorted.</summary>
public enum AssetSort
{
    Name = 0,
    Kind = 1,
    Protection = 2,
    Updated = 3,
}

/// <summary>
/// The list's filters (null: any). <see cref="Owner"/> is a subject (<c>user:…</c>, <c>team:…</c>) or
/// <see cref="AssetFilter.NoOwner"/>; <see cref="Level"/> is the highest effective need of an asset.
/// </summary>
public sealed record AssetFilter(AssetKind? Kind = null, string? Owner = null, ProtectionLevel? Level = null)
{
    public const string NoOwner = "none";
}

/// <summary>One page of the list, with how many assets passed the filter.</summary>
public sealed record AssetListPage(IReadOnlyList<AssetRow> Rows, int Total, int Page, int Pages);

/// <summary>Another asset named on an asset's page: one it depends on, or one depending on it.</summary>
public sealed record AssetLink(Guid Id, string Name, AssetKind Kind);

/// <summary>An asset with everything its page shows: owner, effective needs with the asset each was inherited from, dependencies both ways.</summary>
public sealed record AssetDetail(Asset Asset, Subject? Owner, string? OwnerName, IReadOnlyList<EffectiveNeed> Needs, IReadOnlyDictionary<Guid, string> Names,
    IReadOnlyList<AssetLink> DependsOn, IReadOnlyList<AssetLink> Dependents);

/// <summary>
/// Reads a Space's assets (tenant-filtered rows; owners are tuples). Effective needs are computed over the Space's
/// whole dependency graph, since an asset's need can come from anywhere above it.
/// </summary>
public sealed class AssetQueries(KastellDbContext db, RelationshipReader relations, TeamDirectory directory)
{
    public const int PageSize = 25;

    public async Task<AssetListPage> ListAsync(Guid spaceId, AssetFilter filter, AssetSort sort, int page, CancellationToken cancellationToken = default)
    {
        var rows = await RowsAsync(spaceId, cancellationToken);
        IEnumerable<AssetRow> query = rows;
        if (filter.Kind is { } kind)
        {
            query = query.Where(r => r.Kind == kind);
        }

        if (filter.Owner == AssetFilter.NoOwner)
        {
            query = query.Where(r => r.Owner is null);
        }
        else if (filter.Owner is { } owner)
        {
            query = query.Where(r => r.Owner?.ToString() == owner);
        }

        if (filter.Level is { } level)
        {
            query = query.Where(r => r.Highest == level);
        }

        var byName = StringComparer.CurrentCultureIgnoreCase;
        var sorted = (sort switch
        {
            AssetSort.Kind => query.OrderBy(r => r.Kind).ThenBy(r => r.Name, byName),
            AssetSort.Protection => query.OrderByDescending(r => r.Highest).ThenBy(r => r.Name, byName),
            AssetSort.Updated => query.OrderByDescending(r => r.Id),
            _ => query.OrderBy(r => r.Name, byName),
        }).ThenBy(r => r.Id).ToList();
        var pages = Math.Max(1, (sorted.Count + PageSize - 1) / PageSize);
        var number = Math.Clamp(page, 1, pages);
        return new AssetListPage([.. sorted.Skip((number - 1) * PageSize).Take(PageSize)], sorted.Count, number, pages);
    }

    /// <summary>Up to <paramref name="take"/> assets after <paramref name="after"/> in id order (version 7: by creation), for the API's cursor.</summary>
    public async Task<IReadOnlyList<AssetRow>> PageAsync(Guid spaceId, Guid? after, int take, CancellationToken cancellationToken = default) =>
        [.. (await RowsAsync(spaceId, cancellationToken)).Where(r => after is null || r.Id.CompareTo(after.Value) > 0).OrderBy(r => r.Id).Take(take)];

    public async Task<AssetDetail?> FindAsync(Guid spaceId, Guid id, CancellationToken cancellationToken = default)
    {
        var asset = await db.Assets.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id && a.SpaceId == spaceId, cancellationToken);
        if (asset is null)
        {
            return null;
        }

        var (assets, edges) = await GraphAsync(spaceId, cancellationToken);
        var effective = ProtectionInheritance.Compute([.. assets.Select(a => a.Needs())], edges);
        var names = assets.ToDictionary(a => a.Id, a => a.Name);
        var byId = assets.ToDictionary(a => a.Id);
        var owner = (await relations.OfObjectAsync(Permissions.Object("asset", id), ["owner"], cancellationToken))
            .Select(t => Subject.TryParse(t.User, out var s) ? s : (Subject?)null).FirstOrDefault(s => s is not null);
        var byName = StringComparer.CurrentCultureIgnoreCase;
        return new AssetDetail(asset, owner, owner is { } o ? (await NamesAsync(cancellationToken)).GetValueOrDefault(o) : null, effective[id], names,
            [.. edges.Where(e => e.Dependent == id).Select(e => byId[e.Dependency]).OrderBy(a => a.Name, byName).Select(a => new AssetLink(a.Id, a.Name, a.Kind))],
            [.. edges.Where(e => e.Dependency == id).Select(e => byId[e.Dependent]).OrderBy(a => a.Name, byName).Select(a => new AssetLink(a.Id, a.Name, a.Kind))]);
    }

    /// <summary>The Space's assets by name, for choosing what an asset depends on.</summary>
    public async Task<IReadOnlyList<AssetLink>> ChoicesAsync(Guid spaceId, CancellationToken cancellationToken = default) =>
        [.. (await db.Assets.AsNoTracking().Where(a => a.SpaceId == spaceId).Select(a => new AssetLink(a.Id, a.Name, a.Kind)).ToListAsync(cancellationToken))
            .OrderBy(a => a.Name, StringComparer.CurrentCultureIgnoreCase)];

    /// <summary>Who an asset can be given to: the organization's people and teams, by name.</summary>
    public async Task<IReadOnlyList<(Subject Subject, string Name)>> OwnerChoicesAsync(CancellationToken cancellationToken = default) =>
    [
        .. (await directory.PeopleAsync(cancellationToken)).Select(p => (Subject.Person(p.UserId), $"{p.Name} ({p.Email})")),
        .. (await directory.ListAsync(cancellationToken)).Select(t => (Subject.Team(t.Id), t.Name)),
    ];

    private async Task<List<AssetRow>> RowsAsync(Guid spaceId, CancellationToken cancellationToken)
    {
        var (assets, edges) = await GraphAsync(spaceId, cancellationToken);
        var effective = ProtectionInheritance.Compute([.. assets.Select(a => a.Needs())], edges);
        var owners = await OwnersAsync(cancellationToken);
        var names = owners.Count == 0 ? [] : await NamesAsync(cancellationToken);
        return [.. assets.Select(a =>
        {
            var owner = owners.TryGetValue(a.Id, out var o) ? o : (Subject?)null;
            return new AssetRow(a.Id, a.Name, a.Kind, owner, owner is { } s ? names.GetValueOrDefault(s) : null, effective[a.Id]);
        })];
    }

    private async Task<(List<Asset> Assets, List<(Guid Dependent, Guid Dependency)> Edges)> GraphAsync(Guid spaceId, CancellationToken cancellationToken)
    {
        var assets = await db.Assets.AsNoTracking().Where(a => a.SpaceId == spaceId).ToListAsync(cancellationToken);
        var edges = (await db.AssetDependencies.AsNoTracking().Where(d => d.SpaceId == spaceId).Select(d => new { d.AssetId, d.DependsOnId }).ToListAsync(cancellationToken))
            .Select(d => (d.AssetId, d.DependsOnId)).ToList();
        return (assets, edges);
    }

    private async Task<Dictionary<Guid, Subject>> OwnersAsync(CancellationToken cancellationToken)
    {
        var owners = new Dictionary<Guid, Subject>();
        foreach (var tuple in await relations.OfTypeAsync("asset", "owner", cancellationToken))
        {
            if (Guid.TryParseExact(tuple.Object["asset:".Length..], "D", out var id) && Subject.TryParse(tuple.User, out var subject))
            {
                owners[id] = subject;
            }
        }

        return owners;
    }

    private async Task<Dictionary<Subject, string>> NamesAsync(CancellationToken cancellationToken) =>
        (await OwnerChoicesAsync(cancellationToken)).ToDictionary(c => c.Subject, c => c.Name);
}
