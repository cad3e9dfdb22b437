using System.Linq.Expressions;
using Kastell.Authorization.Storage.EntityFramework;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Encryption;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Storage;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Data;

/// <summary>
/// The one relational model of Kastell. Provider-specific subclasses (<see cref="SqliteKastellDbContext"/>,
/// <see cref="PostgresKastellDbContext"/>) exist only so that each provider keeps its own migrations.
/// Every <see cref="ITenantOwned"/> entity gets a global query filter on the request's organization.
/// </summary>
public abstract class KastellDbContext : IdentityDbContext<KastellUser, IdentityRole<Guid>, Guid>
{
    private readonly Tenant _tenant;

    protected KastellDbContext(DbContextOptions options, Tenant tenant)
        : base(options)
    {
        _tenant = tenant;
        ChangeTracker.Tracked += FieldEncryptionInterceptor.AcceptDecryptedValues;
    }

    public DbSet<Organization> Organizations => Set<Organization>();

    public DbSet<OrganizationMember> OrganizationMembers => Set<OrganizationMember>();

    public DbSet<Space> Spaces => Set<Space>();

    public DbSet<SpaceMember> SpaceMembers => Set<SpaceMember>();

    public DbSet<Team> Teams => Set<Team>();

    public DbSet<DataKey> DataKeys => Set<DataKey>();

    public DbSet<DataProtectionKeyRecord> DataProtectionKeys => Set<DataProtectionKeyRecord>();

    public DbSet<DataKeyRotationJob> DataKeyRotations => Set<DataKeyRotationJob>();

    public DbSet<StoredObject> StoredObjects => Set<StoredObject>();

    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    public DbSet<AuditCheckpoint> AuditCheckpoints => Set<AuditCheckpoint>();

    public DbSet<AuditPrune> AuditPrunes => Set<AuditPrune>();

    /// <summary>The filter value; <see cref="Guid.Empty"/> when no tenant is set, which matches no row.</summary>
    internal Guid CurrentOrganizationId => _tenant.OrganizationId ?? Guid.Empty;

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(KastellDbContext).Assembly, t => t.Namespace?.StartsWith("Kastell.Server", StringComparison.Ordinal) == true && !t.IsAbstract);
        ApplyTenantFilters(builder);
        // Relationship tuples, one store per organization (the store id is the organization's id).
        builder.ApplyAuthorizationTuples();

        // The TOTP authenticator key and the recovery codes (and any other Identity token) are user secrets.
        builder.Entity<IdentityUserToken<Guid>>().Property(t => t.Value).IsEncrypted(EncryptionScope.Platform);
    }

    private void ApplyTenantFilters(ModelBuilder builder)
    {
        foreach (var entity in builder.Model.GetEntityTypes().Where(e => typeof(ITenantOwned).IsAssignableFrom(e.ClrType)))
        {
            // e => e.OrganizationId == this.CurrentOrganizationId, parameterized per context instance by EF.
            var row = Expression.Parameter(entity.ClrType, "e");
            var body = Expression.Equal(
                Expression.Property(row, nameof(ITenantOwned.OrganizationId)),
                Expression.Property(Expression.Constant(this), nameof(CurrentOrganizationId)));
            builder.Entity(entity.ClrType).HasQueryFilter(Expression.Lambda(body, row));
            builder.Entity(entity.ClrType).HasIndex(nameof(ITenantOwned.OrganizationId));
        }
    }
}

public sealed class SqliteKastellDbContext(DbContextOptions<SqliteKastellDbContext> options, Tenant tenant)
    : KastellDbContext(options, tenant)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no native date-time-with-offset type; storing UTC ticks keeps ordering and comparison in SQL.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter>();
    }
}

public sealed class PostgresKastellDbContext(DbContextOptions<PostgresKastellDbContext> options, Tenant tenant)
    : KastellDbContext(options, tenant);
