using Microsoft.EntityFrameworkCore.Migrations;

namespace Kastell.Server.Platform.Data;

/// <summary>
/// PostgreSQL row-level security for migrations: the second wall behind the EF query filters. A new tenant table
/// (an <see cref="Tenancy.ITenantOwned"/> entity) needs one line in its PostgreSQL migration,
/// <c>migrationBuilder.ProtectTenantTable("Widgets");</c>; a test fails for a tenant table without a policy.
/// FORCE applies the policies to the table owner (Kastell's own role) too. The request's organization and user reach
/// the database session through <see cref="TenantConnectionInterceptor"/>.
/// </summary>
public static class RowLevelSecurity
{
    /// <summary>The row belongs to the organization the session entered.</summary>
    public const string OrganizationMatches = "\"OrganizationId\"::text = current_setting('kastell.organization_id', true)";

    /// <summary>The row belongs to the user the session acts for.</summary>
    public const string UserMatches = "\"UserId\"::text = current_setting('kastell.user_id', true)";

    /// <summary>A platform row (no organization), visible only to a session outside every tenant, e.g. the system audit chain.</summary>
    public const string PlatformRowOutsideTenants = "(\"OrganizationId\" IS NULL AND coalesce(current_setting('kastell.organization_id', true), '') = '')";

    /// <summary>A tenant table: each row visible to and writable by its own organization only.</summary>
    public static MigrationBuilder ProtectTenantTable(this MigrationBuilder migrationBuilder, string table) =>
        migrationBuilder.ProtectTable(table, OrganizationMatches);

    /// <summary>
    /// A table with its own visibility rule: rows matching <paramref name="visible"/> can be read, rows matching
    /// <paramref name="writable"/> (by default the same rule) written.
    /// </summary>
    public static MigrationBuilder ProtectTable(this MigrationBuilder migrationBuilder, string table, string visible, string? writable = null)
    {
        migrationBuilder.Sql($"ALTER TABLE \"{table}\" ENABLE ROW LEVEL SECURITY;");
        migrationBuilder.Sql($"ALTER TABLE \"{table}\" FORCE ROW LEVEL SECURITY;");
        migrationBuilder.Sql($"CREATE POLICY tenant_isolation ON \"{table}\" USING ({visible}) WITH CHECK ({writable ?? visible});");
        return migrationBuilder;
    }

    /// <summary>Undoes <see cref="ProtectTable"/> (for a migration's Down).</summary>
    public static MigrationBuilder UnprotectTable(this MigrationBuilder migrationBuilder, string table)
    {
        migrationBuilder.Sql($"DROP POLICY IF EXISTS tenant_isolation ON \"{table}\";");
        migrationBuilder.Sql($"ALTER TABLE \"{table}\" NO FORCE ROW LEVEL SECURITY;");
        migrationBuilder.Sql($"ALTER TABLE \"{table}\" DISABLE ROW LEVEL SECURITY;");
        return migrationBuilder;
    }
}
