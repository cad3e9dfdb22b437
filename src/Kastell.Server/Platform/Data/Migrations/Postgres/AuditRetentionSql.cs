using Microsoft.EntityFrameworkCore.Migrations;

namespace Kastell.Server.Platform.Data.Migrations.Postgres;

/// <summary>
/// Hand-written part of the <c>AuditRetention</c> migration: an audit event may be deleted only at or below a
/// retention mark of its chain (written in the same transaction by <c>AuditRetention</c>); UPDATE and TRUNCATE stay
/// refused. The marks get the same row-level security and append-only triggers as the other audit tables.
/// </summary>
internal static class AuditRetentionSql
{
    private static readonly string Visible =
        $"{RowLevelSecurity.OrganizationMatches} OR (\"OrganizationId\" IS NULL AND coalesce(current_setting('kastell.organization_id', true), '') = '')";

    public static void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE FUNCTION kastell_audit_delete_below_mark() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF OLD."Sequence" <= coalesce((SELECT max(p."UpToSequence") FROM "AuditPrunes" p
                                               WHERE p."OrganizationId" IS NOT DISTINCT FROM OLD."OrganizationId"), 0) THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION 'audit records are append-only (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
            END $$;
            """);
        migrationBuilder.Sql("DROP TRIGGER audit_append_only ON \"AuditEvents\";");
        migrationBuilder.Sql("CREATE TRIGGER audit_append_only BEFORE UPDATE ON \"AuditEvents\" FOR EACH ROW EXECUTE FUNCTION kastell_audit_append_only();");
        migrationBuilder.Sql("CREATE TRIGGER audit_delete_below_mark BEFORE DELETE ON \"AuditEvents\" FOR EACH ROW EXECUTE FUNCTION kastell_audit_delete_below_mark();");

        migrationBuilder.Sql("ALTER TABLE \"AuditPrunes\" ENABLE ROW LEVEL SECURITY;");
        migrationBuilder.Sql("ALTER TABLE \"AuditPrunes\" FORCE ROW LEVEL SECURITY;");
        migrationBuilder.Sql($"CREATE POLICY tenant_isolation ON \"AuditPrunes\" USING ({Visible}) WITH CHECK ({Visible});");
        migrationBuilder.Sql("CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON \"AuditPrunes\" FOR EACH ROW EXECUTE FUNCTION kastell_audit_append_only();");
        migrationBuilder.Sql("CREATE TRIGGER audit_append_only_truncate BEFORE TRUNCATE ON \"AuditPrunes\" FOR EACH STATEMENT EXECUTE FUNCTION kastell_audit_append_only();");
    }

    public static void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP TRIGGER IF EXISTS audit_append_only_truncate ON \"AuditPrunes\";");
        migrationBuilder.Sql("DROP TRIGGER IF EXISTS audit_append_only ON \"AuditPrunes\";");
        migrationBuilder.Sql("DROP POLICY IF EXISTS tenant_isolation ON \"AuditPrunes\";");
        migrationBuilder.Sql("DROP TRIGGER IF EXISTS audit_delete_below_mark ON \"AuditEvents\";");
        migrationBuilder.Sql("DROP TRIGGER IF EXISTS audit_append_only ON \"AuditEvents\";");
        migrationBuilder.Sql("CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON \"AuditEvents\" FOR EACH ROW EXECUTE FUNCTION kastell_audit_append_only();");
        migrationBuilder.Sql("DROP FUNCTION IF EXISTS kastell_audit_delete_below_mark();");
    }
}
