using Microsoft.EntityFrameworkCore.Migrations;

namespace Kastell.Server.Platform.Data.Migrations.Sqlite;

/// <summary>
/// Hand-written part of the <c>AuditRetention</c> migration: an audit event may be deleted only at or below a
/// retention mark of its chain (written in the same transaction by <c>AuditRetention</c>), and the marks themselves are
/// append-only. Everything else about the audit tables stays as <see cref="AuditLogSql"/> made it.
/// </summary>
internal static class AuditRetentionSql
{
    public static void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"AuditEvents_no_delete\";");
        migrationBuilder.Sql(
            "CREATE TRIGGER \"AuditEvents_no_delete\" BEFORE DELETE ON \"AuditEvents\" " +
            "WHEN OLD.\"Sequence\" > coalesce((SELECT max(p.\"UpToSequence\") FROM \"AuditPrunes\" p WHERE p.\"OrganizationId\" IS OLD.\"OrganizationId\"), 0) " +
            "BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;");
        foreach (var operation in new[] { "UPDATE", "DELETE" })
        {
            migrationBuilder.Sql(
                $"CREATE TRIGGER \"AuditPrunes_no_{operation.ToLowerInvariant()}\" BEFORE {operation} ON \"AuditPrunes\" " +
                "BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;");
        }
    }

    public static void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"AuditPrunes_no_update\";");
        migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"AuditPrunes_no_delete\";");
        migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"AuditEvents_no_delete\";");
        migrationBuilder.Sql(
            "CREATE TRIGGER \"AuditEvents_no_delete\" BEFORE DELETE ON \"AuditEvents\" " +
            "BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;");
    }
}
