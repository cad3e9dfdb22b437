using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kastell.Server.Platform.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AuditPruneUnique : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AuditPrunes_OrganizationId_UpToSequence",
                table: "AuditPrunes");

            migrationBuilder.CreateIndex(
                name: "IX_AuditPrunes_OrganizationId_UpToSequence",
                table: "AuditPrunes",
                columns: new[] { "OrganizationId", "UpToSequence" },
                unique: true)
                .Annotation("Npgsql:NullsDistinct", false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AuditPrunes_OrganizationId_UpToSequence",
                table: "AuditPrunes");

            migrationBuilder.CreateIndex(
                name: "IX_AuditPrunes_OrganizationId_UpToSequence",
                table: "AuditPrunes",
                columns: new[] { "OrganizationId", "UpToSequence" });
        }
    }
}
