using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kastell.Server.Platform.Data.Migrations.Postgres;

/// <summary>
/// Hand-written: PostgreSQL row-level security on every tenant table, the second wall behind the EF query filters.
/// FORCE applies the policies to the table owner (Kastell's own role) too. Membership rows are also visible to
/// their own user, so "which organizations may I enter?" works before a tenant is chosen.
/// A test fails when a tenant table has no policy, so every later tenant table needs one here or in its migration.
/// </summary>
[DbContext(typeof(PostgresKastellDbContext))]
[Migration("20261123092726_RowLevelSecurity")]
public sealed class RowLevelSecurity : Migration
{
    internal const string OrganizationMatches =
        "\"OrganizationId\"::text = current_setting('kastell.organization_id', true)";

    private const string UserMatches = "\"UserId\"::text = current_setting('kastell.user_id', true)";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        Protect(migrationBuilder, "Spaces", OrganizationMatches);
        Protect(migrationBuilder, "OrganizationMembers", $"{OrganizationMatches} OR {UserMatches}");
        Protect(migrationBuilder, "SpaceMembers", $"{OrganizationMatches} OR {UserMatches}");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        foreach (var table in new[] { "Spaces", "OrganizationMembers", "SpaceMembers" })
        {
            migrationBuilder.Sql($"DROP POLICY IF EXISTS tenant_isolation ON \"{table}\";");
            migrationBuilder.Sql($"ALTER TABLE \"{table}\" NO FORCE ROW LEVEL SECURITY;");
            migrationBuilder.Sql($"ALTER TABLE \"{table}\" DISABLE ROW LEVEL SECURITY;");
        }
    }

    internal static void Protect(MigrationBuilder migrationBuilder, string table, string visible)
    {
        migrationBuilder.Sql($"ALTER TABLE \"{table}\" ENABLE ROW LEVEL SECURITY;");
        migrationBuilder.Sql($"ALTER TABLE \"{table}\" FORCE ROW LEVEL SECURITY;");
        migrationBuilder.Sql(
            $"CREATE POLICY tenant_isolation ON \"{table}\" USING ({visible}) WITH CHECK ({OrganizationMatches});");
    }
}
