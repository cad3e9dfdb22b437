using System;
using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kastell.Server.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SamlSignIn : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "SamlSigningCertificates",
                table: "SsoConnections",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SamlSingleSignOnUrl",
                table: "SsoConnections",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SamlSpEntityId",
                table: "SsoConnections",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "SamlAssertionUses",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: false),
                    KeepUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SamlAssertionUses", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SamlRequests",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: false),
                    ConnectionId = table.Column<Guid>(type: "uuid", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SamlRequests", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SamlRequests_SsoConnections_ConnectionId",
                        column: x => x.ConnectionId,
                        principalTable: "SsoConnections",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SamlAssertionUses_KeepUntil",
                table: "SamlAssertionUses",
                column: "KeepUntil");

            migrationBuilder.CreateIndex(
                name: "IX_SamlAssertionUses_OrganizationId",
                table: "SamlAssertionUses",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_SamlRequests_ConnectionId",
                table: "SamlRequests",
                column: "ConnectionId");

            migrationBuilder.CreateIndex(
                name: "IX_SamlRequests_ExpiresAt",
                table: "SamlRequests",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_SamlRequests_OrganizationId",
                table: "SamlRequests",
                column: "OrganizationId");

            migrationBuilder.ProtectTenantTable("SamlRequests");
            migrationBuilder.ProtectTenantTable("SamlAssertionUses");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SamlAssertionUses");

            migrationBuilder.DropTable(
                name: "SamlRequests");

            migrationBuilder.DropColumn(
                name: "SamlSigningCertificates",
                table: "SsoConnections");

            migrationBuilder.DropColumn(
                name: "SamlSingleSignOnUrl",
                table: "SsoConnections");

            migrationBuilder.DropColumn(
                name: "SamlSpEntityId",
                table: "SsoConnections");
        }
    }
}
