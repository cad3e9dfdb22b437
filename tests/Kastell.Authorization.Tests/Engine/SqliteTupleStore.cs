using Kastell.Authorization.Storage;
using Kastell.Authorization.Storage.EntityFramework;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Authorization.Tests.Engine;

/// <summary>A host-like DbContext that maps the tuple table through the library's ModelBuilder extension.</summary>
public sealed class TupleDbContext(DbContextOptions<TupleDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.ApplyAuthorizationTuples();
}

/// <summary>The EF Core store over a private SQLite in-memory database that lives as long as this object.</summary>
internal sealed class SqliteTupleStore : ITupleStore, IDisposable, IDbContextFactory<TupleDbContext>
{
    private readonly SqliteConnection _connection = new("DataSource=:memory:");
    private readonly DbContextOptions<TupleDbContext> _options;
    private readonly EntityFrameworkTupleStore<TupleDbContext> _store;

    public SqliteTupleStore(string storeId = "store-1")
    {
        _connection.Open();
        _options = new DbContextOptionsBuilder<TupleDbContext>().UseSqlite(_connection).Options;
        using (var db = CreateDbContext())
        {
            db.Database.EnsureCreated();
        }

        _store = new EntityFrameworkTupleStore<TupleDbContext>(this, storeId);
    }

    /// <summary>Another tenant's view of the same database.</summary>
    public EntityFrameworkTupleStore<TupleDbContext> ForStore(string storeId) => new(this, storeId);

    public TupleDbContext CreateDbContext() => new(_options);

    public ValueTask<RelationshipTuple?> ReadTupleAsync(string @object, string relation, string user, CancellationToken cancellationToken = default) =>
        _store.ReadTupleAsync(@object, relation, user, cancellationToken);

    public ValueTask<IReadOnlyList<RelationshipTuple>> ReadAsync(string @object, string relation, CancellationToken cancellationToken = default) =>
        _store.ReadAsync(@object, relation, cancellationToken);

    public ValueTask<IReadOnlyList<RelationshipTuple>> ReadUsersetTuplesAsync(string @object, string relation, CancellationToken cancellationToken = default) =>
        _store.ReadUsersetTuplesAsync(@object, relation, cancellationToken);

    public ValueTask<IReadOnlyList<RelationshipTuple>> ReadByUserAsync(string user, string relation, string objectType, CancellationToken cancellationToken = default) =>
        _store.ReadByUserAsync(user, relation, objectType, cancellationToken);

    public ValueTask WriteAsync(IReadOnlyCollection<RelationshipTuple> writes, IReadOnlyCollection<TupleKey> deletes, CancellationToken cancellationToken = default) =>
        _store.WriteAsync(writes, deletes, cancellationToken);

    public void Dispose() => _connection.Dispose();
}
