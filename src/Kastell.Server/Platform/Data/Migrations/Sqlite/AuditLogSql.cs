using Microsoft.EntityFrameworkCore.Migrations;

namespace Kastell.Server.Platform.Data.Migrations.Sqlite;

/// <summary>
/// Hand-written part of the <c>AuditLog</c> migration: triggers that refuse UPDATE and DELETE on the audit tables,
/// so that no application code path can rewrite history (see docs/adr/0005-audit-log.md).
/// </summary>
internal static class AuditLogSql
{
    private static readonly string[] Tables = ["AuditEvents", "AuditCheckpoints"];

    public static void Up(MigrationBuilder migrationBuilder)
    {
        foreach (var table in Tables)
        {
            foreach (var operation in new[] { "UPDATE", "DELETE" })
            {
                migrationBuilder.Sql(
                    $"CREATE TRIGGER \"{table}_no_{operation.ToLowerInvariant()}\" BEFORE {operation} ON \"{table}\" " +
                    "BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;");
            }
        }
    }

    public static void Down(MigrationBuilder migrationBuilder)
    {
        foreach (var table in Tables)
        {
            migrationBuilder.Sql($"DROP TRIGGER IF EXISTS \"{table}_no_update\";");
            migrationBuilder.Sql($"DROP TRIGGER IF EXISTS \"{table}_no_delete\";");
        }
    }
}
