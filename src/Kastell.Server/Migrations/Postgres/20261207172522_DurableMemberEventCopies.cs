using System;
using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kastell.Server.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DurableMemberEventCopies : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "MemberEventCopyCursors",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    Sequence = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MemberEventCopyCursors", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "MemberEventCopyMarks",
                columns: table => new
                {
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: false),
                    SystemSequence = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MemberEventCopyMarks", x => new { x.OrganizationId, x.SystemSequence });
                });

            // The in-memory copier that came before made the copies of every event so far: start at the tail.
            migrationBuilder.Sql("""INSERT INTO "MemberEventCopyCursors" ("Id", "Sequence") SELECT 1, coalesce(max("Sequence"), 0) FROM "AuditEvents" WHERE "OrganizationId" IS NULL;""");
            migrationBuilder.ProtectTenantTable("MemberEventCopyMarks");

            migrationBuilder.CreateIndex(
                name: "IX_MemberEventCopyMarks_OrganizationId",
                table: "MemberEventCopyMarks",
                column: "OrganizationId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.UnprotectTable("MemberEventCopyMarks");

            migrationBuilder.DropTable(
                name: "MemberEventCopyCursors");

            migrationBuilder.DropTable(
                name: "MemberEventCopyMarks");
        }
    }
}
