using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kastell.Server.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Evidence : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "Attachment",
                table: "StoredObjects",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "EvidenceItems",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SpaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Url = table.Column<string>(type: "TEXT", nullable: false),
                    Note = table.Column<string>(type: "TEXT", nullable: false),
                    EffectiveOn = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    ObservedFrom = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    ObservedTo = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    ValidUntil = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    State = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    SubmittedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    ReviewedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    ReviewedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ReviewComment = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EvidenceItems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_EvidenceItems_Spaces_SpaceId",
                        column: x => x.SpaceId,
                        principalTable: "Spaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "EvidenceVersions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SpaceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    EvidenceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    StoredObjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UploadedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    UploadedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EvidenceVersions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_EvidenceVersions_EvidenceItems_EvidenceId",
                        column: x => x.EvidenceId,
                        principalTable: "EvidenceItems",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_EvidenceVersions_StoredObjects_StoredObjectId",
                        column: x => x.StoredObjectId,
                        principalTable: "StoredObjects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceItems_OrganizationId",
                table: "EvidenceItems",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceItems_SpaceId_State",
                table: "EvidenceItems",
                columns: new[] { "SpaceId", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceVersions_EvidenceId_Number",
                table: "EvidenceVersions",
                columns: new[] { "EvidenceId", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceVersions_OrganizationId",
                table: "EvidenceVersions",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceVersions_SpaceId",
                table: "EvidenceVersions",
                column: "SpaceId");

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceVersions_StoredObjectId",
                table: "EvidenceVersions",
                column: "StoredObjectId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "EvidenceVersions");

            migrationBuilder.DropTable(
                name: "EvidenceItems");

            migrationBuilder.DropColumn(
                name: "Attachment",
                table: "StoredObjects");
        }
    }
}
