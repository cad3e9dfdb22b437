using Microsoft.EntityFrameworkCore.Migrations;

namespace Kastell.Server.Migrations.Sqlite;

/// <summary>
/// The hand-written part of the SQLite baseline: triggers that keep the audit tables append-only
/// (docs/adr/0005-audit-log.md). An audit event may be deleted only at or below a retention mark of its chain, written in
/// the same transaction by the retention run; checkpoints and marks are never updated or deleted.
/// </summary>
internal static class BaselineSql
{
    private const string Refuse = "BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;";

    public static void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql($"CREATE TRIGGER \"AuditEvents_no_update\" BEFORE UPDATE ON \"AuditEvents\" {Refuse}");
        migrationBuilder.Sql(
            "CREATE TRIGGER \"AuditEvents_no_delete\" BEFORE DELETE ON \"AuditEvents\" " +
            "WHEN OLD.\"Sequence\" > coalesce((SELECT max(p.\"UpToSequence\") FROM \"AuditPrunes\" p WHERE p.\"OrganizationId\" IS OLD.\"OrganizationId\"), 0) " +
            Refuse);
        foreach (var table in new[] { "AuditCheckpoints", "AuditPrunes" })
        {
            migrationBuilder.Sql($"CREATE TRIGGER \"{table}_no_update\" BEFORE UPDATE ON \"{table}\" {Refuse}");
            migrationBuilder.Sql($"CREATE TRIGGER \"{table}_no_delete\" BEFORE DELETE ON \"{table}\" {Refuse}");
        }
    }

    public static void Down(MigrationBuilder migrationBuilder)
    {
        foreach (var table in new[] { "AuditEvents", "AuditCheckpoints", "AuditPrunes" })
        {
            migrationBuilder.Sql($"DROP TRIGGER IF EXISTS \"{table}_no_update\";");
            migrationBuilder.Sql($"DROP TRIGGER IF EXISTS \"{table}_no_delete\";");
        }
    }
}
