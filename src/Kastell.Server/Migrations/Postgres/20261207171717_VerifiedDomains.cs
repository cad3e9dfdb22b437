using System;
using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kastell.Server.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class VerifiedDomains : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "OrganizationDomains",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    Challenge = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    State = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Problem = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    LastCheckedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    VerifiedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OrganizationDomains", x => x.Id);
                    table.ForeignKey(
                        name: "FK_OrganizationDomains_Organizations_OrganizationId",
                        column: x => x.OrganizationId,
                        principalTable: "Organizations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "VerifiedDomainNames",
                columns: table => new
                {
                    Name = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: false),
                    DomainId = table.Column<Guid>(type: "uuid", nullable: false),
                    VerifiedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VerifiedDomainNames", x => x.Name);
                    table.ForeignKey(
                        name: "FK_VerifiedDomainNames_OrganizationDomains_DomainId",
                        column: x => x.DomainId,
                        principalTable: "OrganizationDomains",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_VerifiedDomainNames_Organizations_OrganizationId",
                        column: x => x.OrganizationId,
                        principalTable: "Organizations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_OrganizationDomains_OrganizationId",
                table: "OrganizationDomains",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_OrganizationDomains_OrganizationId_Name",
                table: "OrganizationDomains",
                columns: new[] { "OrganizationId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_VerifiedDomainNames_DomainId",
                table: "VerifiedDomainNames",
                column: "DomainId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_VerifiedDomainNames_OrganizationId",
                table: "VerifiedDomainNames",
                column: "OrganizationId");

            migrationBuilder.ProtectTenantTable("OrganizationDomains");

            // The registry of verified names (ADR 0021): every session may read it (home-realm discovery runs before
            // sign-in, and an organization must learn that another holds a name), only the holding organization may
            // insert, change or delete its rows. Permissive policies add up: SELECT is allowed by either, writes only
            // by tenant_isolation. Its primary key is checked across all rows whatever the policies say, which is
            // what makes a verified domain belong to one organization only.
            migrationBuilder.ProtectTable("VerifiedDomainNames", RowLevelSecurity.OrganizationMatches);
            migrationBuilder.Sql("CREATE POLICY names_readable ON \"VerifiedDomainNames\" FOR SELECT USING (true);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP POLICY IF EXISTS names_readable ON \"VerifiedDomainNames\";");
            migrationBuilder.UnprotectTable("VerifiedDomainNames");
            migrationBuilder.UnprotectTable("OrganizationDomains");

            migrationBuilder.DropTable(
                name: "VerifiedDomainNames");

            migrationBuilder.DropTable(
                name: "OrganizationDomains");
        }
    }
}
