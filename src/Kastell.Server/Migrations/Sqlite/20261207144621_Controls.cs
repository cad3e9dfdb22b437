using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kastell.Server.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Controls : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ApplicabilityEntries",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SpaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequirementId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Applicable = table.Column<bool>(type: "INTEGER", nullable: false),
                    Justification = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ApplicabilityEntries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ApplicabilityEntries_Requirements_RequirementId",
                        column: x => x.RequirementId,
                        principalTable: "Requirements",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ApplicabilityEntries_Spaces_SpaceId",
                        column: x => x.SpaceId,
                        principalTable: "Spaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Controls",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SpaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 30, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Controls", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Controls_Spaces_SpaceId",
                        column: x => x.SpaceId,
                        principalTable: "Spaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "FrameworkAdoptions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SpaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    FrameworkId = table.Column<Guid>(type: "TEXT", nullable: false),
                    FrameworkVersionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AdoptedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    AdoptedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    EndedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    EndedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FrameworkAdoptions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FrameworkAdoptions_FrameworkVersions_FrameworkVersionId",
                        column: x => x.FrameworkVersionId,
                        principalTable: "FrameworkVersions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_FrameworkAdoptions_Frameworks_FrameworkId",
                        column: x => x.FrameworkId,
                        principalTable: "Frameworks",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_FrameworkAdoptions_Spaces_SpaceId",
                        column: x => x.SpaceId,
                        principalTable: "Spaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ControlRequirements",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ControlId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequirementId = table.Column<Guid>(type: "TEXT", nullable: false),
                    LinkedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LinkedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ControlRequirements", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ControlRequirements_Controls_ControlId",
                        column: x => x.ControlId,
                        principalTable: "Controls",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ControlRequirements_Requirements_RequirementId",
                        column: x => x.RequirementId,
                        principalTable: "Requirements",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ApplicabilityEntries_OrganizationId",
                table: "ApplicabilityEntries",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_ApplicabilityEntries_RequirementId",
                table: "ApplicabilityEntries",
                column: "RequirementId");

            migrationBuilder.CreateIndex(
                name: "IX_ApplicabilityEntries_SpaceId_RequirementId",
                table: "ApplicabilityEntries",
                columns: new[] { "SpaceId", "RequirementId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ControlRequirements_ControlId_RequirementId",
                table: "ControlRequirements",
                columns: new[] { "ControlId", "RequirementId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ControlRequirements_OrganizationId",
                table: "ControlRequirements",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_ControlRequirements_RequirementId",
                table: "ControlRequirements",
                column: "RequirementId");

            migrationBuilder.CreateIndex(
                name: "IX_Controls_OrganizationId",
                table: "Controls",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_Controls_SpaceId_Title",
                table: "Controls",
                columns: new[] { "SpaceId", "Title" });

            migrationBuilder.CreateIndex(
                name: "IX_FrameworkAdoptions_FrameworkId",
                table: "FrameworkAdoptions",
                column: "FrameworkId");

            migrationBuilder.CreateIndex(
                name: "IX_FrameworkAdoptions_FrameworkVersionId",
                table: "FrameworkAdoptions",
                column: "FrameworkVersionId");

            migrationBuilder.CreateIndex(
                name: "IX_FrameworkAdoptions_OrganizationId",
                table: "FrameworkAdoptions",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_FrameworkAdoptions_SpaceId_FrameworkId",
                table: "FrameworkAdoptions",
                columns: new[] { "SpaceId", "FrameworkId" },
                unique: true,
                filter: "\"EndedAt\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ApplicabilityEntries");

            migrationBuilder.DropTable(
                name: "ControlRequirements");

            migrationBuilder.DropTable(
                name: "FrameworkAdoptions");

            migrationBuilder.DropTable(
                name: "Controls");
        }
    }
}
