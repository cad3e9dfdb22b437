using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Kastell.Server.Migrations.Postgres;

/// <summary>
/// Hand-written part of the <c>RelationshipTuples</c> migration: each organization's tuples (its store, keyed by the
/// organization's id) are visible only inside that organization, like every tenant row; and an existing installation's
/// role rows become tuples (ADR 0014). The backfill is idempotent (<c>ON CONFLICT DO NOTHING</c>): running it again adds
/// nothing. It must read every tenant's rows, so it lifts FORCE on the tables it reads (the owner then bypasses the
/// policies) and puts it back in the same transaction.
/// </summary>
internal static class RelationshipTuplesSql
{
    private static readonly string[] Read = ["OrganizationMembers", "SpaceMembers", "Spaces", "StoredObjects", "authz_tuples"];

    public static void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.ProtectTable("authz_tuples", "\"StoreId\" = current_setting('kastell.organization_id', true)");
        foreach (var table in Read)
        {
            migrationBuilder.Sql($"ALTER TABLE \"{table}\" NO FORCE ROW LEVEL SECURITY;");
        }

        migrationBuilder.Sql(Backfill);
        foreach (var table in Read)
        {
            migrationBuilder.Sql($"ALTER TABLE \"{table}\" FORCE ROW LEVEL SECURITY;");
        }
    }

    /// <summary>Organization roles, Space roles, each Space's organization, each file's Space and uploader.</summary>
    internal const string Backfill = """
        INSERT INTO authz_tuples ("StoreId", "Object", "ObjectType", "Relation", "User", "IsUserset", "CreatedAt")
        SELECT m."OrganizationId"::text, 'organization:' || m."OrganizationId"::text, 'organization', lower(m."Role"), 'user:' || m."UserId"::text, false, now()
        FROM "OrganizationMembers" m
        UNION ALL
        SELECT m."OrganizationId"::text, 'space:' || m."SpaceId"::text, 'space', lower(m."Role"), 'user:' || m."UserId"::text, false, now()
        FROM "SpaceMembers" m
        UNION ALL
        SELECT s."OrganizationId"::text, 'space:' || s."Id"::text, 'space', 'organization', 'organization:' || s."OrganizationId"::text, false, now()
        FROM "Spaces" s
        UNION ALL
        SELECT o."OrganizationId"::text, 'file:' || o."Id"::text, 'file', 'space', 'space:' || o."SpaceId"::text, false, now()
        FROM "StoredObjects" o
        UNION ALL
        SELECT o."OrganizationId"::text, 'file:' || o."Id"::text, 'file', 'uploader', 'user:' || o."UploadedBy"::text, false, now()
        FROM "StoredObjects" o WHERE o."UploadedBy" IS NOT NULL
        ON CONFLICT DO NOTHING;
        """;
}
