using Microsoft.EntityFrameworkCore;

namespace Kastell.Authorization.Storage.EntityFramework;

/// <summary>Maps <see cref="TupleEntity"/> into the host's own <see cref="DbContext"/>.</summary>
public static class TupleModelBuilderExtensions
{
    /// <summary>
    /// Adds the tuple table with the indexes the engine's reads need: the primary key (store, object, relation, user)
    /// serves exact and forward lookups, (store, object, relation, is_userset) userset lookups and
    /// (store, user, relation, object_type) reverse lookups.
    /// </summary>
    public static ModelBuilder ApplyAuthorizationTuples(this ModelBuilder modelBuilder, string table = "authz_tuples", string? schema = null)
    {
        modelBuilder.Entity<TupleEntity>(tuple =>
        {
            tuple.ToTable(table, schema);
            tuple.HasKey(t => new { t.StoreId, t.Object, t.Relation, t.User });
            tuple.Property(t => t.StoreId).HasMaxLength(64);
            tuple.Property(t => t.Object).HasMaxLength(512);
            tuple.Property(t => t.ObjectType).HasMaxLength(254);
            tuple.Property(t => t.Relation).HasMaxLength(50);
            tuple.Property(t => t.User).HasMaxLength(512);
            tuple.Property(t => t.ConditionName).HasMaxLength(256);
            tuple.HasIndex(t => new { t.StoreId, t.Object, t.Relation, t.IsUserset });
            tuple.HasIndex(t => new { t.StoreId, t.User, t.Relation, t.ObjectType });
        });
        return modelBuilder;
    }
}
