using Kastell.Authorization.Storage;
using Kastell.Server.Features.Frameworks.Library;
using Kastell.Server.Features.Teams;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Controls.ManageControls;

/// <summary>A control as lists show it: its owner's name (a person or a team), status, how many requirements it answers.</summary>
public sealed record ControlRow(Guid Id, string Title, ControlStatus Status, Subject? Owner, string? OwnerName, int Requirements);

/// <summary>A control answering a requirement, as the statement of applicability lists it.</summary>
public sealed record LinkedControl(Guid Id, string Title, ControlStatus Status);

/// <summary>A control with everything its page shows.</summary>
public sealed record ControlDetail(Control Control, Subject? Owner, string? OwnerName, IReadOnlyList<RequirementReference> Requirements);

/// <summary>Reads a Space's controls (tenant-filtered rows; owners are tuples).</summary>
public sealed class ControlQueries(KastellDbContext db, RelationshipReader relations, TeamDirectory directory, FrameworkQueries frameworks)
{
    public async Task<IReadOnlyList<ControlRow>> ListAsync(Guid spaceId, CancellationToken cancellationToken = default)
    {
        var links = db.ControlRequirements;
        var controls = await db.Controls.AsNoTracking().Where(c => c.SpaceId == spaceId)
            .Select(c => new { c.Id, c.Title, c.Status, Links = links.Count(l => l.ControlId == c.Id) })
            .ToListAsync(cancellationToken);
        var owners = await OwnersOfAsync([.. controls.Select(c => c.Id)], cancellationToken);
        var names = await NamesAsync(cancellationToken);
        return [.. controls.OrderBy(c => c.Title, StringComparer.CurrentCultureIgnoreCase).Select(c =>
        {
            var owner = owners.TryGetValue(c.Id, out var o) ? o : (Subject?)null;
            return new ControlRow(c.Id, c.Title, c.Status, owner, owner is { } s ? names.GetValueOrDefault(s) : null, c.Links);
        })];
    }

    /// <summary>
    /// Up to <paramref name="take"/> of the Space's controls in creation order (their version-7 ids) after
    /// <paramref name="after"/>, those with the status and the owner asked for: the API's cursor-paged list.
    /// </summary>
    public async Task<IReadOnlyList<ControlRow>> PageAsync(Guid spaceId, Guid? after, int take, ControlStatus? status, Subject? owner, CancellationToken cancellationToken = default)
    {
        var links = db.ControlRequirements;
        var query = db.Controls.AsNoTracking().Where(c => c.SpaceId == spaceId);
        if (status is { } wanted)
        {
            query = query.Where(c => c.Status == wanted);
        }

        if (owner is { } o)
        {
            // Owners are tuples, not columns: the filter keeps the ids the owner's own tuples name (one indexed read
            // of that person's or team's owner tuples, never the organization's others).
            var owned = (await relations.OfUserAsync(o.TupleUser, "control", "owner", cancellationToken)).Select(ControlId).OfType<Guid>().ToList();
            if (owned.Count == 0)
            {
                return [];
            }

            query = query.Where(c => owned.Contains(c.Id));
        }

        // Ordered by the id in .NET's order (the providers store and compare uuids differently), as the cursor reads it.
        var ids = (await query.Select(c => c.Id).ToListAsync(cancellationToken))
            .Where(id => after is null || id.CompareTo(after.Value) > 0).Order().Take(take).ToList();
        var controls = (await db.Controls.AsNoTracking().Where(c => ids.Contains(c.Id))
            .Select(c => new { c.Id, c.Title, c.Status, Links = links.Count(l => l.ControlId == c.Id) })
            .ToListAsync(cancellationToken)).OrderBy(c => c.Id).ToList();
        if (controls.Count == 0)
        {
            return [];
        }

        // The owners of this page's controls only, in one query.
        var owners = await OwnersOfAsync(ids, cancellationToken);
        var names = await NamesAsync(cancellationToken);
        return [.. controls.Select(c =>
        {
            var controlOwner = owners.TryGetValue(c.Id, out var found) ? found : (Subject?)null;
            return new ControlRow(c.Id, c.Title, c.Status, controlOwner, controlOwner is { } s ? names.GetValueOrDefault(s) : null, c.Links);
        })];
    }

    public async Task<ControlDetail?> FindAsync(Guid spaceId, Guid id, CancellationToken cancellationToken = default)
    {
        var control = await db.Controls.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id && c.SpaceId == spaceId, cancellationToken);
        if (control is null)
        {
            return null;
        }

        var owner = (await relations.OfObjectAsync(Permissions.Object("control", id), ["owner"], cancellationToken))
            .Select(t => Subject.TryParse(t.User, out var s) ? s : (Subject?)null).FirstOrDefault(s => s is not null);
        var requirementIds = await db.ControlRequirements.Where(l => l.ControlId == id).Select(l => l.RequirementId).ToListAsync(cancellationToken);
        return new ControlDetail(control, owner, owner is { } o ? (await NamesAsync(cancellationToken)).GetValueOrDefault(o) : null,
            await frameworks.RequirementsByIdAsync(requirementIds, cancellationToken));
    }

    /// <summary>The Space's controls answering each of <paramref name="requirementIds"/>.</summary>
    public async Task<IReadOnlyDictionary<Guid, IReadOnlyList<LinkedControl>>> ForRequirementsAsync(Guid spaceId, IReadOnlyCollection<Guid> requirementIds, CancellationToken cancellationToken = default)
    {
        var rows = await (from l in db.ControlRequirements
                          join c in db.Controls on l.ControlId equals c.Id
                          where c.SpaceId == spaceId && requirementIds.Contains(l.RequirementId)
                          select new { l.RequirementId, c.Id, c.Title, c.Status })
            .ToListAsync(cancellationToken);
        return rows.GroupBy(r => r.RequirementId).ToDictionary(
            g => g.Key,
            g => (IReadOnlyList<LinkedControl>)[.. g.OrderBy(r => r.Title, StringComparer.CurrentCultureIgnoreCase).Select(r => new LinkedControl(r.Id, r.Title, r.Status))]);
    }

    /// <summary>Who a control can be given to: the organization's people and teams, by name.</summary>
    public async Task<IReadOnlyList<(Subject Subject, string Name)>> OwnerChoicesAsync(CancellationToken cancellationToken = default) =>
    [
        .. (await directory.PeopleAsync(cancellationToken)).Select(p => (Subject.Person(p.UserId), $"{p.Name} ({p.Email})")),
        .. (await directory.ListAsync(cancellationToken)).Select(t => (Subject.Team(t.Id), t.Name)),
    ];

    /// <summary>The owner of each of these controls that has one, read from their own tuples (one query).</summary>
    private async Task<Dictionary<Guid, Subject>> OwnersOfAsync(IReadOnlyCollection<Guid> controlIds, CancellationToken cancellationToken)
    {
        var owners = new Dictionary<Guid, Subject>();
        foreach (var tuple in await relations.OfObjectsAsync([.. controlIds.Select(id => Permissions.Object("control", id))], "owner", cancellationToken))
        {
            if (ControlId(tuple) is { } id && Subject.TryParse(tuple.User, out var subject))
            {
                owners[id] = subject;
            }
        }

        return owners;
    }

    private static Guid? ControlId(TupleKey tuple) =>
        tuple.Object.StartsWith("control:", StringComparison.Ordinal) && Guid.TryParseExact(tuple.Object["control:".Length..], "D", out var id) ? id : null;

    /// <summary>The names owners are shown by, as <see cref="OwnerChoicesAsync"/> gives them, from rows only (no team's membership tuples).</summary>
    private async Task<Dictionary<Subject, string>> NamesAsync(CancellationToken cancellationToken)
    {
        var names = (await directory.PeopleAsync(cancellationToken)).ToDictionary(p => Subject.Person(p.UserId), p => $"{p.Name} ({p.Email})");
        foreach (var (id, name) in await directory.NamesAsync(cancellationToken))
        {
            names[Subject.Team(id)] = name;
        }

        return names;
    }
}
