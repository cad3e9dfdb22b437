using Kastell.Authorization.Engine;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Authorization.Storage.EntityFramework;

/// <summary>
/// A tuple store in the host's database, one store (tenant) per <paramref name="storeId"/>. Each call uses its own
/// short-lived context from <paramref name="contexts"/>, so the store is safe for concurrent use. A write batch runs in
/// one transaction: any failed rule rolls the whole batch back. Reads of many objects at once
/// (<see cref="ITupleBatchReader"/>) are one statement each: the asker's own tuples through the user index, the
/// linking tuples through the object key (a UNION, so an organization's member tuples are not scanned for one user).
/// </summary>
/// <remarks>
/// With <c>oneContext</c> (a store that lives for one request), every read goes through one context, one read at a
/// time: no new context per read. Its connection is taken from the pool per read, not held for the request.
/// Writes still run in a context and transaction of their own.
/// </remarks>
public sealed class EntityFrameworkTupleStore<TContext>(IDbContextFactory<TContext> contexts, string storeId, TimeProvider? clock = null, bool oneContext = false)
    : ITupleStore, ITupleBatchReader, IAsyncDisposable
    where TContext : DbContext
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly SharedContext<TContext>? _session = oneContext ? new SharedContext<TContext>(contexts) : null;

    public ValueTask<RelationshipTuple?> ReadTupleAsync(string @object, string relation, string user, CancellationToken cancellationToken = default) =>
        QueryAsync(async (db, ct) =>
        {
            var row = await Tuples(db).FirstOrDefaultAsync(t => t.Object == @object && t.Relation == relation && t.User == user, ct).ConfigureAwait(false);
            return row is null ? null : ToTuple(row);
        }, cancellationToken);

    public ValueTask<IReadOnlyList<RelationshipTuple>> ReadAsync(string @object, string relation, CancellationToken cancellationToken = default) =>
        QueryAsync((db, ct) => ListAsync(Tuples(db).Where(t => t.Object == @object && t.Relation == relation), ct), cancellationToken);

    public ValueTask<IReadOnlyList<RelationshipTuple>> ReadUsersetTuplesAsync(string @object, string relation, CancellationToken cancellationToken = default) =>
        QueryAsync((db, ct) => ListAsync(Tuples(db).Where(t => t.Object == @object && t.Relation == relation && t.IsUserset), ct), cancellationToken);

    public ValueTask<IReadOnlyList<RelationshipTuple>> ReadByUserAsync(string user, string relation, string objectType, CancellationToken cancellationToken = default) =>
        QueryAsync((db, ct) => ListAsync(Tuples(db).Where(t => t.User == user && t.Relation == relation && t.ObjectType == objectType), ct), cancellationToken);

    public ValueTask<IReadOnlyList<RelationshipTuple>> ReadObjectsAsync(
        IReadOnlyCollection<string> objects, IReadOnlyCollection<string> users, IReadOnlyCollection<string>? links, CancellationToken cancellationToken = default)
    {
        var objectList = objects.ToList();
        var userList = users.ToList();
        if (links is null)
        {
            return QueryAsync((db, ct) => ListAsync(Tuples(db).Where(t => objectList.Contains(t.Object) && userList.Contains(t.User)), ct), cancellationToken);
        }

        var linkList = links.ToList();
        // Three parts, each on an index, instead of one OR over the object's every tuple: the asker's own tuples (the
        // user index), the usersets and the linking relations (the object key).
        return QueryAsync((db, ct) => ListAsync(
            Tuples(db).Where(t => objectList.Contains(t.Object) && userList.Contains(t.User))
                .Union(Tuples(db).Where(t => objectList.Contains(t.Object) && t.IsUserset))
                .Union(Tuples(db).Where(t => objectList.Contains(t.Object) && linkList.Contains(t.Relation))), ct), cancellationToken);
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

    public async ValueTask DisposeAsync()
    {
        if (_session is { } session)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs a read in a context of its own, or — for a store with <c>oneContext</c> — in the store's one context, one
    /// read at a time. A read that fails drops that context (its connection may be broken): the next read opens another.
    /// </summary>
    private async ValueTask<T> QueryAsync<T>(Func<TContext, CancellationToken, Task<T>> query, CancellationToken cancellationToken)
    {
        if (_session is null)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            return await query(db, cancellationToken).ConfigureAwait(false);
        }

        return await _session.RunAsync(query, cancellationToken).ConfigureAwait(false);
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
