using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kastell.Server.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RelationshipTuples : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "authz_tuples",
                columns: table => new
                {
                    StoreId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Object = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    Relation = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    User = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    ObjectType = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    IsUserset = table.Column<bool>(type: "INTEGER", nullable: false),
                    ConditionName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    ConditionContext = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_authz_tuples", x => new { x.StoreId, x.Object, x.Relation, x.User });
                });

            migrationBuilder.CreateIndex(
                name: "IX_authz_tuples_StoreId_Object_Relation_IsUserset",
                table: "authz_tuples",
                columns: new[] { "StoreId", "Object", "Relation", "IsUserset" });

            migrationBuilder.CreateIndex(
                name: "IX_authz_tuples_StoreId_User_Relation_ObjectType",
                table: "authz_tuples",
                columns: new[] { "StoreId", "User", "Relation", "ObjectType" });

            RelationshipTuplesSql.Up(migrationBuilder);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "authz_tuples");
        }
    }
}
