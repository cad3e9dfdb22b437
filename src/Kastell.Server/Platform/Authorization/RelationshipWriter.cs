using Kastell.Authorization.Storage;
using Kastell.Authorization.Storage.EntityFramework;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Authorization;

/// <summary>
/// Writes relationship tuples into the request's organization store as part of the caller's unit of work: a grant or
/// revocation is saved by the same <c>SaveChanges</c> (and transaction) as the change it belongs to, so a membership and
/// its tuple can never be half written. Every tuple is validated against the model first; one that violates it throws
/// the engine's 2027 invalid_tuple and nothing is added.
/// </summary>
public sealed class RelationshipWriter(KastellDbContext db, Tenant tenant, Permissions permissions, TimeProvider time)
{
    /// <summary>Adds the tuple unless it is stored already (or already added in this unit of work); true when it is new.</summary>
    public async Task<bool> GrantAsync(string @object, string relation, string user, CancellationToken cancellationToken = default)
    {
        var added = false;
        permissions.EngineForWrites.ValidateWrite(new RelationshipTuple(@object, relation, user));
        var store = Permissions.StoreId(tenant.RequireOrganizationId());
        if (Tracked(store, @object, relation, user) is { } tracked)
        {
            if (db.Entry(tracked).State == EntityState.Deleted)
            {
                db.Entry(tracked).State = EntityState.Unchanged;
                added = true;
            }
        }
        else if (!await db.Set<TupleEntity>().AnyAsync(t => t.StoreId == store && t.Object == @object && t.Relation == relation && t.User == user, cancellationToken))
        {
            db.Set<TupleEntity>().Add(new TupleEntity
            {
                StoreId = store,
                Object = @object,
                ObjectType = @object[..@object.IndexOf(':', StringComparison.Ordinal)],
                Relation = relation,
                User = user,
                IsUserset = user.Contains('#', StringComparison.Ordinal),
                CreatedAt = time.GetUtcNow(),
            });
            added = true;
        }

        permissions.Forget();
        return added;
    }

    /// <summary>
    /// Adds a tuple on an object created in this unit of work (an id no tuple can name yet), without the look-ups
    /// <see cref="GrantAsync"/> makes: an import of thousands of objects would otherwise ask the database, and scan
    /// the tracked tuples, once per tuple.
    /// </summary>
    public void GrantOnNewObject(string @object, string relation, string user)
    {
        permissions.EngineForWrites.ValidateWrite(new RelationshipTuple(@object, relation, user));
        db.Set<TupleEntity>().Add(new TupleEntity
        {
            StoreId = Permissions.StoreId(tenant.RequireOrganizationId()),
            Object = @object,
            ObjectType = @object[..@object.IndexOf(':', StringComparison.Ordinal)],
            Relation = relation,
            User = user,
            IsUserset = user.Contains('#', StringComparison.Ordinal),
            CreatedAt = time.GetUtcNow(),
        });
        permissions.Forget();
    }

    /// <summary>Removes the tuple if it is stored; true when there was one.</summary>
    public async Task<bool> RevokeAsync(string @object, string relation, string user, CancellationToken cancellationToken = default)
    {
        var store = Permissions.StoreId(tenant.RequireOrganizationId());
        var row = Tracked(store, @object, relation, user)
            ?? await db.Set<TupleEntity>().SingleOrDefaultAsync(t => t.StoreId == store && t.Object == @object && t.Relation == relation && t.User == user, cancellationToken);
        if (row is not null)
        {
            if (db.Entry(row).State == EntityState.Added)
            {
                db.Entry(row).State = EntityState.Detached;
            }
            else
            {
                db.Set<TupleEntity>().Remove(row);
            }
        }

        permissions.Forget();
        return row is not null;
    }

    /// <summary>Every stored tuple whose object is <paramref name="object"/> or whose user is <paramref name="user"/>, removed (an object or person going away).</summary>
    public async Task RevokeAllAsync(string? @object = null, string? user = null, CancellationToken cancellationToken = default)
    {
        var store = Permissions.StoreId(tenant.RequireOrganizationId());
        var rows = await db.Set<TupleEntity>()
            .Where(t => t.StoreId == store && ((@object != null && t.Object == @object) || (user != null && t.User == user)))
            .ToListAsync(cancellationToken);
        db.Set<TupleEntity>().RemoveRange(rows);
        permissions.Forget();
    }

    /// <summary>Every stored tuple naming <paramref name="user"/> on objects of <paramref name="objectTypes"/>, removed (a person leaving).</summary>
    public async Task RevokeAllOfUserAsync(string user, IReadOnlyCollection<string> objectTypes, CancellationToken cancellationToken = default)
    {
        var store = Permissions.StoreId(tenant.RequireOrganizationId());
        var types = objectTypes.ToList();
        db.Set<TupleEntity>().RemoveRange(await db.Set<TupleEntity>()
            .Where(t => t.StoreId == store && t.User == user && types.Contains(t.ObjectType))
            .ToListAsync(cancellationToken));
        permissions.Forget();
    }

    private TupleEntity? Tracked(string store, string @object, string relation, string user) =>
        db.ChangeTracker.Entries<TupleEntity>()
            .Select(e => e.Entity)
            .FirstOrDefault(t => t.StoreId == store && t.Object == @object && t.Relation == relation && t.User == user);
}
