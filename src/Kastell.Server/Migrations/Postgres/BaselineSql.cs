using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Kastell.Server.Migrations.Postgres;

/// <summary>
/// The hand-written part of the PostgreSQL baseline: row-level security on every tenant table, and the audit log's
/// guards (docs/adr/0005-audit-log.md): triggers that refuse UPDATE and TRUNCATE on the audit tables and DELETE except
/// at or below a retention mark of the chain, and the chain-tail function that plans its lookup as one backward index
/// probe whatever the statistics say. The table owner can still drop a trigger; the hash chain and the signed
/// checkpoints detect what that would allow.
/// </summary>
internal static class BaselineSql
{
    /// <summary>An audit chain is visible to its organization; the system chain only outside every tenant.</summary>
    private const string ChainVisible = $"{RowLevelSecurity.OrganizationMatches} OR {RowLevelSecurity.PlatformRowOutsideTenants}";

    public static void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.ProtectTenantTable("Spaces");
        // Membership rows are also visible to their own user, so "which organizations may I enter?" works before a
        // tenant is chosen; they are written only inside their organization.
        migrationBuilder.ProtectTable("OrganizationMembers", $"{RowLevelSecurity.OrganizationMatches} OR {RowLevelSecurity.UserMatches}", RowLevelSecurity.OrganizationMatches);
        migrationBuilder.ProtectTable("SpaceMembers", $"{RowLevelSecurity.OrganizationMatches} OR {RowLevelSecurity.UserMatches}", RowLevelSecurity.OrganizationMatches);
        migrationBuilder.ProtectTenantTable("Invitations");
        // Platform data keys (no organization) protect user secrets read before a tenant is chosen: visible everywhere.
        migrationBuilder.ProtectTable("DataKeys", $"\"OrganizationId\" IS NULL OR {RowLevelSecurity.OrganizationMatches}");
        migrationBuilder.ProtectTenantTable("DataKeyRotations");
        migrationBuilder.ProtectTenantTable("StoredObjects");
        migrationBuilder.ProtectTable("SiemCursors", ChainVisible);

        migrationBuilder.Sql("""
            CREATE FUNCTION kastell_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit records are append-only (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
            END $$;
            """);
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
        foreach (var table in new[] { "AuditEvents", "AuditCheckpoints", "AuditPrunes" })
        {
            migrationBuilder.ProtectTable(table, ChainVisible);
            migrationBuilder.Sql($"CREATE TRIGGER audit_append_only_truncate BEFORE TRUNCATE ON \"{table}\" FOR EACH STATEMENT EXECUTE FUNCTION kastell_audit_append_only();");
        }

        migrationBuilder.Sql("CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON \"AuditCheckpoints\" FOR EACH ROW EXECUTE FUNCTION kastell_audit_append_only();");
        migrationBuilder.Sql("CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON \"AuditPrunes\" FOR EACH ROW EXECUTE FUNCTION kastell_audit_append_only();");
        migrationBuilder.Sql("CREATE TRIGGER audit_append_only BEFORE UPDATE ON \"AuditEvents\" FOR EACH ROW EXECUTE FUNCTION kastell_audit_append_only();");
        migrationBuilder.Sql("CREATE TRIGGER audit_delete_below_mark BEFORE DELETE ON \"AuditEvents\" FOR EACH ROW EXECUTE FUNCTION kastell_audit_delete_below_mark();");

        // Under row-level security the planner cannot estimate the policy's filter; with thin statistics it read the
        // whole chain and sorted it for every append (ADR 0005). Sorting off leaves the backward index probe.
        migrationBuilder.Sql("""
            CREATE FUNCTION kastell_audit_chain_tail(chain uuid) RETURNS SETOF "AuditEvents"
            LANGUAGE plpgsql STABLE SET enable_sort = off AS $$
            BEGIN
                IF chain IS NULL THEN
                    RETURN QUERY SELECT * FROM "AuditEvents" e WHERE e."OrganizationId" IS NULL ORDER BY e."Sequence" DESC LIMIT 1;
                ELSE
                    RETURN QUERY SELECT * FROM "AuditEvents" e WHERE e."OrganizationId" = chain ORDER BY e."Sequence" DESC LIMIT 1;
                END IF;
            END $$;
            """);
    }

    /// <summary>Before the tables go: the functions (the policies and triggers go with their tables).</summary>
    public static void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP FUNCTION IF EXISTS kastell_audit_chain_tail(uuid);");
        foreach (var table in new[] { "AuditEvents", "AuditCheckpoints", "AuditPrunes" })
        {
            migrationBuilder.Sql($"DROP TRIGGER IF EXISTS audit_append_only ON \"{table}\";");
            migrationBuilder.Sql($"DROP TRIGGER IF EXISTS audit_append_only_truncate ON \"{table}\";");
        }

        migrationBuilder.Sql("DROP TRIGGER IF EXISTS audit_delete_below_mark ON \"AuditEvents\";");
        migrationBuilder.Sql("DROP FUNCTION IF EXISTS kastell_audit_delete_below_mark();");
        migrationBuilder.Sql("DROP FUNCTION IF EXISTS kastell_audit_append_only();");
    }
}
