using Kastell.Authorization.Engine;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Authorization.Storage.EntityFramework;

/// <summary>
/// A tuple store in the host's database, one store (tenant) per <paramref name="storeId"/>. Each call uses its own
/// short-lived context from <paramref name="contexts"/>, so the store is safe for concurrent use. A write batch runs in
/// one transaction: any failed rule rolls the whole batch back. Reads of many objects at once
/// (<see cref="ITupleBatchReader"/>) are one query each, through the same indexes as the single reads.
/// </summary>
public sealed class EntityFrameworkTupleStore<TContext>(IDbContextFactory<TContext> contexts, string storeId, TimeProvider? clock = null) : ITupleStore, ITupleBatchReader
    where TContext : DbContext
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public async ValueTask<RelationshipTuple?> ReadTupleAsync(string @object, string relation, string user, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await Tuples(db).FirstOrDefaultAsync(t => t.Object == @object && t.Relation == relation && t.User == user, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToTuple(row);
    }

    public async ValueTask<IReadOnlyList<RelationshipTuple>> ReadAsync(string @object, string relation, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await ListAsync(Tuples(db).Where(t => t.Object == @object && t.Relation == relation), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<RelationshipTuple>> ReadUsersetTuplesAsync(string @object, string relation, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await ListAsync(Tuples(db).Where(t => t.Object == @object && t.Relation == relation && t.IsUserset), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<RelationshipTuple>> ReadByUserAsync(string user, string relation, string objectType, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await ListAsync(Tuples(db).Where(t => t.User == user && t.Relation == relation && t.ObjectType == objectType), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<RelationshipTuple>> ReadTuplesAsync(IReadOnlyCollection<string> objects, string relation, string user, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await ListAsync(Tuples(db).Where(t => objects.Contains(t.Object) && t.Relation == relation && t.User == user), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<RelationshipTuple>> ReadUsersetTuplesAsync(IReadOnlyCollection<string> objects, string relation, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await ListAsync(Tuples(db).Where(t => objects.Contains(t.Object) && t.Relation == relation && t.IsUserset), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask WriteAsync(IReadOnlyCollection<RelationshipTuple> writes, IReadOnlyCollection<TupleKey> deletes, CancellationToken cancellationToken = default)
    {
        WriteBatchRules.RejectDuplicates(writes, deletes);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var set = db.Set<TupleEntity>();
        foreach (var key in deletes)
        {
            // The affected row count, not an earlier read, decides: a concurrent delete cannot slip in between.
            var deleted = await set
                .Where(t => t.StoreId == storeId && t.Object == key.Object && t.Relation == key.Relation && t.User == key.User)
                .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            if (deleted != 1)
            {
                throw WriteBatchRules.MissingTuple(key);
            }
        }

        foreach (var tuple in writes)
        {
            if (await set.AnyAsync(t => t.StoreId == storeId && t.Object == tuple.Object && t.Relation == tuple.Relation && t.User == tuple.User, cancellationToken).ConfigureAwait(false))
            {
                throw WriteBatchRules.ExistingTuple(tuple.Key);
            }

            set.Add(ToEntity(tuple));
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException) when (writes.Count > 0)
        {
            // A concurrent batch wrote one of our keys after the existence check; the primary key caught it.
            throw new AuthorizationException(AuthorizationErrorCode.WriteFailedDueToInvalidInput, "cannot write a tuple which already exists: a concurrent write stored one of the tuples first");
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private IQueryable<TupleEntity> Tuples(TContext db) => db.Set<TupleEntity>().AsNoTracking().Where(t => t.StoreId == storeId);

    private static async Task<IReadOnlyList<RelationshipTuple>> ListAsync(IQueryable<TupleEntity> query, CancellationToken cancellationToken) =>
        (await query.ToListAsync(cancellationToken).ConfigureAwait(false)).ConvertAll(ToTuple);

    private TupleEntity ToEntity(RelationshipTuple tuple) => new()
    {
        StoreId = storeId,
        Object = tuple.Object,
        ObjectType = TupleParts.TypeOf(tuple.Object),
        Relation = tuple.Relation,
        User = tuple.User,
        IsUserset = tuple.User.Contains('#', StringComparison.Ordinal),
        ConditionName = tuple.Condition?.Name,
        ConditionContext = ConditionContextJson.Write(tuple.Condition?.Context),
        CreatedAt = _clock.GetUtcNow(),
    };

    private static RelationshipTuple ToTuple(TupleEntity row) => new(
        row.Object,
        row.Relation,
        row.User,
        row.ConditionName is null ? null : new TupleCondition(row.ConditionName, ConditionContextJson.Read(row.ConditionContext)));
}
