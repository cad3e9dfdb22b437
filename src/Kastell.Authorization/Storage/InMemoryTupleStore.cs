using Kastell.Authorization.Engine;

namespace Kastell.Authorization.Storage;

/// <summary>
/// A thread-safe in-memory tuple store. Batches are applied under a write lock after all checks passed, so a reader
/// sees a batch entirely or not at all, and every read after <see cref="WriteAsync"/> returned sees it.
/// </summary>
public sealed class InMemoryTupleStore : ITupleStore, IDisposable
{
    private readonly TupleIndex _index = new();
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);

    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _index.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    public ValueTask<RelationshipTuple?> ReadTupleAsync(string @object, string relation, string user, CancellationToken cancellationToken = default)
    {
        _lock.EnterReadLock();
        try
        {
            return new ValueTask<RelationshipTuple?>(_index.Find(@object, relation, user));
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public ValueTask<IReadOnlyList<RelationshipTuple>> ReadAsync(string @object, string relation, CancellationToken cancellationToken = default)
    {
        _lock.EnterReadLock();
        try
        {
            return new ValueTask<IReadOnlyList<RelationshipTuple>>(_index.Read(@object, relation));
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public ValueTask<IReadOnlyList<RelationshipTuple>> ReadUsersetTuplesAsync(string @object, string relation, CancellationToken cancellationToken = default)
    {
        _lock.EnterReadLock();
        try
        {
            return new ValueTask<IReadOnlyList<RelationshipTuple>>(_index.ReadUsersets(@object, relation));
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public ValueTask<IReadOnlyList<RelationshipTuple>> ReadByUserAsync(string user, string relation, string objectType, CancellationToken cancellationToken = default)
    {
        _lock.EnterReadLock();
        try
        {
            return new ValueTask<IReadOnlyList<RelationshipTuple>>(_index.ReadByUser(user, relation, objectType));
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>A snapshot of every stored tuple (for export and tests; not used by queries).</summary>
    public IReadOnlyList<RelationshipTuple> ReadAll()
    {
        _lock.EnterReadLock();
        try
        {
            return [.. _index.All()];
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public ValueTask WriteAsync(IReadOnlyCollection<RelationshipTuple> writes, IReadOnlyCollection<TupleKey> deletes, CancellationToken cancellationToken = default)
    {
        WriteBatchRules.RejectDuplicates(writes, deletes);
        _lock.EnterWriteLock();
        try
        {
            foreach (var delete in deletes)
            {
                if (_index.Find(delete.Object, delete.Relation, delete.User) is null)
                {
                    throw WriteBatchRules.MissingTuple(delete);
                }
            }

            foreach (var write in writes)
            {
                if (_index.Find(write.Object, write.Relation, write.User) is not null)
                {
                    throw WriteBatchRules.ExistingTuple(write.Key);
                }
            }

            foreach (var delete in deletes)
            {
                _index.Remove(delete);
            }

            foreach (var write in writes)
            {
                _index.Add(write);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }

        return ValueTask.CompletedTask;
    }

    public void Dispose() => _lock.Dispose();
}
