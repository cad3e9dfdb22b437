using Microsoft.EntityFrameworkCore.Migrations;

namespace Kastell.Server.Platform.Data.Migrations.Postgres;

/// <summary>
/// Hand-written part of the <c>AuditLog</c> migration (see docs/adr/0005-audit-log.md): row-level security on both
/// audit tables (an organization sees its own chain; the system chain, organization null, only outside any tenant),
/// and triggers that refuse UPDATE, DELETE and TRUNCATE, so that no application code path can rewrite history.
/// The table owner can still drop the triggers; the hash chain and the signed checkpoints detect that.
/// </summary>
internal static class AuditLogSql
{
    private static readonly string[] Tables = ["AuditEvents", "AuditCheckpoints"];

    private static readonly string Visible =
        $"{RowLevelSecurity.OrganizationMatches} OR (\"OrganizationId\" IS NULL AND coalesce(current_setting('kastell.organization_id', true), '') = '')";

    public static void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE FUNCTION kastell_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit records are append-only (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
            END $$;
            """);
        foreach (var table in Tables)
        {
            migrationBuilder.Sql($"ALTER TABLE \"{table}\" ENABLE ROW LEVEL SECURITY;");
            migrationBuilder.Sql($"ALTER TABLE \"{table}\" FORCE ROW LEVEL SECURITY;");
            migrationBuilder.Sql($"CREATE POLICY tenant_isolation ON \"{table}\" USING ({Visible}) WITH CHECK ({Visible});");
            migrationBuilder.Sql($"CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON \"{table}\" FOR EACH ROW EXECUTE FUNCTION kastell_audit_append_only();");
            migrationBuilder.Sql($"CREATE TRIGGER audit_append_only_truncate BEFORE TRUNCATE ON \"{table}\" FOR EACH STATEMENT EXECUTE FUNCTION kastell_audit_append_only();");
        }
    }

    public static void Down(MigrationBuilder migrationBuilder)
    {
        foreach (var table in Tables)
        {
            migrationBuilder.Sql($"DROP TRIGGER IF EXISTS audit_append_only ON \"{table}\";");
            migrationBuilder.Sql($"DROP TRIGGER IF EXISTS audit_append_only_truncate ON \"{table}\";");
            migrationBuilder.Sql($"DROP POLICY IF EXISTS tenant_isolation ON \"{table}\";");
        }

        migrationBuilder.Sql("DROP FUNCTION IF EXISTS kastell_audit_append_only();");
    }
}
