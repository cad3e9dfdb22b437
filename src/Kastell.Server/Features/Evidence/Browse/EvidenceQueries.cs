using Kastell.Server.Features.Assets.ManageAssets;
using Kastell.Server.Features.Controls.ManageControls;
using Kastell.Server.Features.Teams;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Evidence.Browse;

/// <summary>An evidence item as lists show it.</summary>
public sealed record EvidenceRow(Guid Id, string Title, EvidenceKind Kind, EvidenceState State, DateOnly? EffectiveOn, DateOnly? ObservedFrom, DateOnly? ObservedTo,
    DateOnly? ValidUntil, DateTimeOffset CreatedAt)
{
    /// <summary>The day it speaks for: its effective date, or the end of its observation period.</summary>
    public DateOnly? Effective => EffectiveOn ?? ObservedTo;
}

/// <summary>How the list is sorted.</summary>
public enum EvidenceSort
{
    Newest = 0,
    Title = 1,
    Effective = 2,
    State = 3,
}

/// <summary>The list's filters (null: any).</summary>
public sealed record EvidenceFilter(EvidenceKind? Kind = null, EvidenceState? State = null);

/// <summary>One page of the list, with how many items passed the filter.</summary>
public sealed record EvidenceList(IReadOnlyList<EvidenceRow> Rows, int Total, int Page, int Pages);

/// <summary>A control or an asset an item is linked to.</summary>
public sealed record EvidenceTarget(Guid Id, string Name);

/// <summary>A version of a file item.</summary>
public sealed record EvidenceVersionRow(int Number, string FileName, long Size, string? UploadedBy, DateTimeOffset UploadedAt);

/// <summary>An item with everything its page shows.</summary>
public sealed record EvidenceDetail(EvidenceItem Item, IReadOnlyList<EvidenceVersionRow> Versions, IReadOnlyList<EvidenceTarget> Controls,
    IReadOnlyList<EvidenceTarget> Assets, string? SubmittedBy, string? ReviewedBy);

/// <summary>
/// Reads a Space's evidence, each item only for who may read it: the list asks the engine once for every evidence
/// item the caller can read (ListObjects, not a check per row) and keeps the Space's rows among them, so the
/// visibility rule of the model (<c>evidence#can_read</c>) is what decides, here as on the item's page and download.
/// </summary>
public sealed class EvidenceQueries(KastellDbContext db, Permissions permissions, RelationshipReader relations, TeamDirectory directory,
    ControlQueries controls, AssetQueries assets, Platform.Storage.SpaceFiles files)
{
    public const int PageSize = 25;

    public async Task<EvidenceList> ListAsync(Guid spaceId, EvidenceFilter filter, EvidenceSort sort, int page, CancellationToken cancellationToken = default)
    {
        IEnumerable<EvidenceRow> query = await ReadableAsync(spaceId, cancellationToken);
        if (filter.Kind is { } kind)
        {
            query = query.Where(r => r.Kind == kind);
        }

        if (filter.State is { } state)
        {
            query = query.Where(r => r.State == state);
        }

        var byTitle = StringComparer.CurrentCultureIgnoreCase;
        var sorted = (sort switch
        {
            EvidenceSort.Title => query.OrderBy(r => r.Title, byTitle),
            EvidenceSort.Effective => query.OrderByDescending(r => r.Effective).ThenBy(r => r.Title, byTitle),
            EvidenceSort.State => query.OrderBy(r => r.State).ThenBy(r => r.Title, byTitle),
            _ => query.OrderByDescending(r => r.Id),
        }).ThenBy(r => r.Id).ToList();
        var pages = Math.Max(1, (sorted.Count + PageSize - 1) / PageSize);
        var number = Math.Clamp(page, 1, pages);
        return new EvidenceList([.. sorted.Skip((number - 1) * PageSize).Take(PageSize)], sorted.Count, number, pages);
    }

    /// <summary>Up to <paramref name="take"/> readable items after <paramref name="after"/> in id order (version 7: by creation), for the API's cursor.</summary>
    public async Task<IReadOnlyList<EvidenceRow>> PageAsync(Guid spaceId, Guid? after, int take, CancellationToken cancellationToken = default) =>
        [.. (await ReadableAsync(spaceId, cancellationToken)).Where(r => after is null || r.Id.CompareTo(after.Value) > 0).OrderBy(r => r.Id).Take(take)];

    /// <summary>The item, or null when the Space has none with this id or the caller may not read it.</summary>
    public async Task<EvidenceDetail?> FindAsync(Guid spaceId, Guid id, CancellationToken cancellationToken = default) =>
        await permissions.HasAsync("evidence", id, "can_read", cancellationToken) ? await DetailAsync(spaceId, id, cancellationToken) : null;

    /// <summary>
    /// The item just written by the caller's own command (submitted or reviewed), for its answer: the command decided
    /// access, and an API token that may submit need not carry <c>evidence:can_read</c> to see what it submitted.
    /// </summary>
    internal Task<EvidenceDetail?> WrittenAsync(Guid spaceId, Guid id, CancellationToken cancellationToken = default) => DetailAsync(spaceId, id, cancellationToken);

    private async Task<EvidenceDetail?> DetailAsync(Guid spaceId, Guid id, CancellationToken cancellationToken)
    {
        var item = await db.EvidenceItems.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id && e.SpaceId == spaceId, cancellationToken);
        if (item is null)
        {
            return null;
        }

        var people = (await directory.PeopleAsync(cancellationToken)).ToDictionary(p => p.UserId, p => p.Name);
        var versions = new List<EvidenceVersionRow>();
        foreach (var version in await db.EvidenceVersions.AsNoTracking().Where(v => v.EvidenceId == id).OrderBy(v => v.Number).ToListAsync(cancellationToken))
        {
            var stored = await files.FindAttachmentAsync(spaceId, version.StoredObjectId, cancellationToken);
            versions.Add(new EvidenceVersionRow(version.Number, stored?.FileName ?? "", stored?.Size ?? 0,
                version.UploadedBy is { } by ? people.GetValueOrDefault(by) : null, version.UploadedAt));
        }

        var links = await relations.OfObjectAsync(Permissions.Object("evidence", id), ["control", "asset"], cancellationToken);
        var linkedControls = Linked(links, "control");
        var linkedAssets = Linked(links, "asset");
        var byName = StringComparer.CurrentCultureIgnoreCase;
        var controlNames = linkedControls.Count == 0 ? new Dictionary<Guid, string>() : (await controls.ListAsync(spaceId, cancellationToken)).ToDictionary(c => c.Id, c => c.Title);
        var assetNames = linkedAssets.Count == 0 ? new Dictionary<Guid, string>() : (await assets.ChoicesAsync(spaceId, cancellationToken)).ToDictionary(a => a.Id, a => a.Name);
        return new EvidenceDetail(item, versions,
            [.. linkedControls.Where(controlNames.ContainsKey).Select(c => new EvidenceTarget(c, controlNames[c])).OrderBy(c => c.Name, byName)],
            [.. linkedAssets.Where(assetNames.ContainsKey).Select(a => new EvidenceTarget(a, assetNames[a])).OrderBy(a => a.Name, byName)],
            item.SubmittedBy is { } submitter ? people.GetValueOrDefault(submitter) : null,
            item.ReviewedBy is { } reviewer ? people.GetValueOrDefault(reviewer) : null);
    }

    /// <summary>The stored file of a version of a readable file item of the Space, or null.</summary>
    public async Task<(EvidenceVersion Version, Guid StoredObjectId)?> VersionAsync(Guid spaceId, Guid id, int? number, CancellationToken cancellationToken = default)
    {
        if (!await permissions.HasAsync("evidence", id, "can_read", cancellationToken))
        {
            return null;
        }

        var versions = db.EvidenceVersions.AsNoTracking().Where(v => v.EvidenceId == id && v.SpaceId == spaceId);
        var version = number is { } n
            ? await versions.SingleOrDefaultAsync(v => v.Number == n, cancellationToken)
            : await versions.OrderByDescending(v => v.Number).FirstOrDefaultAsync(cancellationToken);
        return version is null ? null : (version, version.StoredObjectId);
    }

    /// <summary>The Space's controls and assets by name, for linking evidence to them.</summary>
    public async Task<(IReadOnlyList<EvidenceTarget> Controls, IReadOnlyList<EvidenceTarget> Assets)> TargetsAsync(Guid spaceId, CancellationToken cancellationToken = default)
    {
        var linkableControls = (await controls.ListAsync(spaceId, cancellationToken)).Select(c => new EvidenceTarget(c.Id, c.Title)).ToList();
        var linkableAssets = (await assets.ChoicesAsync(spaceId, cancellationToken)).Select(a => new EvidenceTarget(a.Id, a.Name)).ToList();
        return (linkableControls, linkableAssets);
    }

    private async Task<List<EvidenceRow>> ReadableAsync(Guid spaceId, CancellationToken cancellationToken)
    {
        var readable = (await permissions.ObjectsAsync("evidence", "can_read", cancellationToken)).ToHashSet();
        if (readable.Count == 0)
        {
            return [];
        }

        var rows = await db.EvidenceItems.AsNoTracking().Where(e => e.SpaceId == spaceId)
            .Select(e => new EvidenceRow(e.Id, e.Title, e.Kind, e.State, e.EffectiveOn, e.ObservedFrom, e.ObservedTo, e.ValidUntil, e.CreatedAt))
            .ToListAsync(cancellationToken);
        return [.. rows.Where(r => readable.Contains(r.Id))];
    }

    private static List<Guid> Linked(IReadOnlyList<Kastell.Authorization.Storage.TupleKey> links, string relation) =>
        [.. links.Where(t => t.Relation == relation && Guid.TryParseExact(t.User.AsSpan(relation.Length + 1), "D", out _)).Select(t => Guid.Parse(t.User.AsSpan(relation.Length + 1)))];
}
