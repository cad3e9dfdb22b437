using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kastell.Server.Migrations.Sqlite
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
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SamlSingleSignOnUrl",
                table: "SsoConnections",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SamlSpEntityId",
                table: "SsoConnections",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "SamlAssertionUses",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    KeepUntil = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SamlAssertionUses", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SamlRequests",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ConnectionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false)
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
