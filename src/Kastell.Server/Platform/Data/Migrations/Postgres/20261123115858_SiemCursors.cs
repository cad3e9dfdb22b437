using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kastell.Server.Platform.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SiemCursors : Migration
    {
        private static readonly string Visible =
            $"{RowLevelSecurity.OrganizationMatches} OR (\"OrganizationId\" IS NULL AND coalesce(current_setting('kastell.organization_id', true), '') = '')";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SiemCursors",
                columns: table => new
                {
                    Chain = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: true),
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SiemCursors", x => x.Chain);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SiemCursors_OrganizationId",
                table: "SiemCursors",
                column: "OrganizationId");

            // Same visibility as the audit chains the cursors point into: an organization sees its own cursor, the
            // system chain's cursor is visible only outside any tenant.
            migrationBuilder.Sql("ALTER TABLE \"SiemCursors\" ENABLE ROW LEVEL SECURITY;");
            migrationBuilder.Sql("ALTER TABLE \"SiemCursors\" FORCE ROW LEVEL SECURITY;");
            migrationBuilder.Sql($"CREATE POLICY tenant_isolation ON \"SiemCursors\" USING ({Visible}) WITH CHECK ({Visible});");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP POLICY IF EXISTS tenant_isolation ON \"SiemCursors\";");
            migrationBuilder.DropTable(
                name: "SiemCursors");
        }
    }
}
