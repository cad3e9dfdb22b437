using Kastell.Authorization.Storage;
using Kastell.Authorization.Storage.EntityFramework;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Authorization;

/// <summary>
/// The stored tuples of the request's organization as written — no rewrite, no inheritance: what was granted directly.
/// For lists of relations that exist only as tuples (a team's members, a team's Space roles). Whether someone has
/// access is never read here but asked of <see cref="Permissions"/>.
/// </summary>
public sealed class RelationshipReader(KastellDbContext db, Tenant tenant)
{
    /// <summary>Every stored tuple of <paramref name="object"/> with <paramref name="relations"/> (all relations when empty).</summary>
    public async Task<IReadOnlyList<TupleKey>> OfObjectAsync(string @object, IReadOnlyCollection<string>? relations = null, CancellationToken cancellationToken = default)
    {
        var store = Store;
        var wanted = relations?.ToList() ?? [];
        return (await db.Set<TupleEntity>().AsNoTracking()
                .Where(t => t.StoreId == store && t.Object == @object && (wanted.Count == 0 || wanted.Contains(t.Relation)))
                .Select(t => new { t.Object, t.Relation, t.User })
                .ToListAsync(cancellationToken))
            .Select(t => new TupleKey(t.Object, t.Relation, t.User))
            .ToList();
    }

    /// <summary>The stored tuples of <paramref name="relation"/> on each of <paramref name="objects"/>, in one query (e.g. the owners of a page of controls).</summary>
    public async Task<IReadOnlyList<TupleKey>> OfObjectsAsync(IReadOnlyCollection<string> objects, string relation, CancellationToken cancellationToken = default)
    {
        if (objects.Count == 0)
        {
            return [];
        }

        var store = Store;
        var wanted = objects.ToList();
        return (await db.Set<TupleEntity>().AsNoTracking()
                .Where(t => t.StoreId == store && wanted.Contains(t.Object) && t.Relation == relation)
                .Select(t => new { t.Object, t.Relation, t.User })
                .ToListAsync(cancellationToken))
            .Select(t => new TupleKey(t.Object, t.Relation, t.User))
            .ToList();
    }

    /// <summary>Every stored tuple of <paramref name="relation"/> on objects of <paramref name="objectType"/> (e.g. every team membership).</summary>
    public async Task<IReadOnlyList<TupleKey>> OfTypeAsync(string objectType, string relation, CancellationToken cancellationToken = default)
    {
        var store = Store;
        return (await db.Set<TupleEntity>().AsNoTracking()
                .Where(t => t.StoreId == store && t.ObjectType == objectType && t.Relation == relation)
                .Select(t => new { t.Object, t.Relation, t.User })
                .ToListAsync(cancellationToken))
            .Select(t => new TupleKey(t.Object, t.Relation, t.User))
            .ToList();
    }

    /// <summary>Every stored tuple naming <paramref name="user"/> (a person or a userset) on objects of <paramref name="objectType"/>.</summary>
    public async Task<IReadOnlyList<TupleKey>> OfUserAsync(string user, string objectType, CancellationToken cancellationToken = default)
    {
        var store = Store;
        return (await db.Set<TupleEntity>().AsNoTracking()
                .Where(t => t.StoreId == store && t.User == user && t.ObjectType == objectType)
                .Select(t => new { t.Object, t.Relation, t.User })
                .ToListAsync(cancellationToken))
            .Select(t => new TupleKey(t.Object, t.Relation, t.User))
            .ToList();
    }

    /// <summary>The stored tuples of <paramref name="relation"/> naming <paramref name="user"/> on objects of <paramref name="objectType"/> (e.g. the controls a person owns).</summary>
    public async Task<IReadOnlyList<TupleKey>> OfUserAsync(string user, string objectType, string relation, CancellationToken cancellationToken = default)
    {
        var store = Store;
        return (await db.Set<TupleEntity>().AsNoTracking()
                .Where(t => t.StoreId == store && t.User == user && t.Relation == relation && t.ObjectType == objectType)
                .Select(t => new { t.Object, t.Relation, t.User })
                .ToListAsync(cancellationToken))
            .Select(t => new TupleKey(t.Object, t.Relation, t.User))
            .ToList();
    }

    private string Store => Permissions.StoreId(tenant.RequireOrganizationId());
}
