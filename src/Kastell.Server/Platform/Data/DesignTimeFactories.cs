using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Kastell.Server.Platform.Data;

// Used only by `dotnet ef migrations add`: each provider's migrations are generated against its own context type.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteKastellDbContext>
{
    public SqliteKastellDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteKastellDbContext>().UseSqlite("Data Source=design-time.db").Options, new TenantContext());
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresKastellDbContext>
{
    public PostgresKastellDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresKastellDbContext>().UseNpgsql("Host=localhost;Database=kastell_design").Options, new TenantContext());
}
