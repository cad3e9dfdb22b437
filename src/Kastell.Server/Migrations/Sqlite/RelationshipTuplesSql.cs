using Microsoft.EntityFrameworkCore.Migrations;

namespace Kastell.Server.Migrations.Sqlite;

/// <summary>
/// Hand-written part of the <c>RelationshipTuples</c> migration: an existing installation's role rows become tuples
/// (ADR 0014), idempotently (<c>INSERT OR IGNORE</c>). SQLite keeps GUIDs as upper-case text; the model's object ids
/// are lower-case. The creation time of a backfilled tuple is unknown and stored as 0.
/// </summary>
internal static class RelationshipTuplesSql
{
    public static void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(Backfill);

    internal const string Backfill = """
        INSERT OR IGNORE INTO authz_tuples ("StoreId", "Object", "ObjectType", "Relation", "User", "IsUserset", "CreatedAt")
        SELECT lower(m."OrganizationId"), 'organization:' || lower(m."OrganizationId"), 'organization', lower(m."Role"), 'user:' || lower(m."UserId"), 0, 0
        FROM "OrganizationMembers" m
        UNION ALL
        SELECT lower(m."OrganizationId"), 'space:' || lower(m."SpaceId"), 'space', lower(m."Role"), 'user:' || lower(m."UserId"), 0, 0
        FROM "SpaceMembers" m
        UNION ALL
        SELECT lower(s."OrganizationId"), 'space:' || lower(s."Id"), 'space', 'organization', 'organization:' || lower(s."OrganizationId"), 0, 0
        FROM "Spaces" s
        UNION ALL
        SELECT lower(o."OrganizationId"), 'file:' || lower(o."Id"), 'file', 'space', 'space:' || lower(o."SpaceId"), 0, 0
        FROM "StoredObjects" o
        UNION ALL
        SELECT lower(o."OrganizationId"), 'file:' || lower(o."Id"), 'file', 'uploader', 'user:' || lower(o."UploadedBy"), 0, 0
        FROM "StoredObjects" o WHERE o."UploadedBy" IS NOT NULL;
        """;
}
