using System;
using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kastell.Server.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Assets : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Assets",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: false),
                    SpaceId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Kind = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    Description = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    Confidentiality = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    ConfidentialityJustification = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    ConfidentialityOverride = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    ConfidentialityOverrideJustification = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    Integrity = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    IntegrityJustification = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    IntegrityOverride = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    IntegrityOverrideJustification = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    Availability = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    AvailabilityJustification = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    AvailabilityOverride = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    AvailabilityOverrideJustification = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Assets", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Assets_Spaces_SpaceId",
                        column: x => x.SpaceId,
                        principalTable: "Spaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AssetDependencies",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: false),
                    SpaceId = table.Column<Guid>(type: "uuid", nullable: false),
                    AssetId = table.Column<Guid>(type: "uuid", nullable: false),
                    DependsOnId = table.Column<Guid>(type: "uuid", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AssetDependencies", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AssetDependencies_Assets_AssetId",
                        column: x => x.AssetId,
                        principalTable: "Assets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AssetDependencies_Assets_DependsOnId",
                        column: x => x.DependsOnId,
                        principalTable: "Assets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AssetDependencies_AssetId_DependsOnId",
                table: "AssetDependencies",
                columns: new[] { "AssetId", "DependsOnId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AssetDependencies_DependsOnId",
                table: "AssetDependencies",
                column: "DependsOnId");

            migrationBuilder.CreateIndex(
                name: "IX_AssetDependencies_OrganizationId",
                table: "AssetDependencies",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_AssetDependencies_SpaceId",
                table: "AssetDependencies",
                column: "SpaceId");

            migrationBuilder.CreateIndex(
                name: "IX_Assets_OrganizationId",
                table: "Assets",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_Assets_SpaceId_Name",
                table: "Assets",
                columns: new[] { "SpaceId", "Name" });

            // Tenant tables: each organization sees and writes only its own rows (ADR 0011, RowLevelSecurity).
            foreach (var table in new[] { "Assets", "AssetDependencies" })
            {
                migrationBuilder.ProtectTenantTable(table);
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AssetDependencies");

            migrationBuilder.DropTable(
                name: "Assets");
        }
    }
}
