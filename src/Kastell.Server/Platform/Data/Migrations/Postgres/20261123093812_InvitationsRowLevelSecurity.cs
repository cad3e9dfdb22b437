using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kastell.Server.Platform.Data.Migrations.Postgres;

/// <summary>
/// Hand-written: row-level security for <c>Invitations</c>, visible only inside its organization's tenant. The accept
/// page enters the tenant named by the token before looking the invitation up, so no user-based exception is needed.
/// </summary>
[DbContext(typeof(PostgresKastellDbContext))]
[Migration("20261123093812_InvitationsRowLevelSecurity")]
public sealed class InvitationsRowLevelSecurity : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        RowLevelSecurity.Protect(migrationBuilder, "Invitations", RowLevelSecurity.OrganizationMatches);

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP POLICY IF EXISTS tenant_isolation ON \"Invitations\";");
        migrationBuilder.Sql("ALTER TABLE \"Invitations\" NO FORCE ROW LEVEL SECURITY;");
        migrationBuilder.Sql("ALTER TABLE \"Invitations\" DISABLE ROW LEVEL SECURITY;");
    }
}
