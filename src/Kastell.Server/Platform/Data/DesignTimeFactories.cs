using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Kastell.Server.Platform.Data;

// Used only by `dotnet ef migrations add`: each provider's migrations are generated against its own context type.
// Identity shapes its tables from IdentityOptions (schema version 3 adds passkeys), so the design-time model must
// see the same options as the running app, or the migrations would miss tables.
internal static class DesignTime
{
    public static IServiceProvider IdentityServices { get; } = new ServiceCollection()
        .Configure<IdentityOptions>(o => o.Stores.SchemaVersion = IdentitySchemaVersions.Version3)
        .BuildServiceProvider();
}

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteKastellDbContext>
{
    public SqliteKastellDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteKastellDbContext>()
            .UseSqlite("Data Source=design-time.db")
            .UseApplicationServiceProvider(DesignTime.IdentityServices)
            .Options, new Tenant());
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresKastellDbContext>
{
    public PostgresKastellDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresKastellDbContext>()
            .UseNpgsql("Host=localhost;Database=kastell_design")
            .UseApplicationServiceProvider(DesignTime.IdentityServices)
            .Options, new Tenant());
}
