using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kastell.Server.Platform.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AuditRetention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "AuditRetentionDays",
                table: "Organizations",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AuditPrunes",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: true),
                    UpToSequence = table.Column<long>(type: "bigint", nullable: false),
                    CheckpointHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    PrunedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ArchiveFile = table.Column<string>(type: "character varying(260)", maxLength: 260, nullable: false),
                    ArchiveSha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditPrunes", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AuditPrunes_OrganizationId_UpToSequence",
                table: "AuditPrunes",
                columns: new[] { "OrganizationId", "UpToSequence" });

            AuditRetentionSql.Up(migrationBuilder);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            AuditRetentionSql.Down(migrationBuilder);

            migrationBuilder.DropTable(
                name: "AuditPrunes");

            migrationBuilder.DropColumn(
                name: "AuditRetentionDays",
                table: "Organizations");
        }
    }
}
