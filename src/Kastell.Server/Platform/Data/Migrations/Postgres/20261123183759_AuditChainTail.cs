using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kastell.Server.Platform.Data.Migrations.Postgres
{
    /// <summary>
    /// <c>kastell_audit_chain_tail(chain)</c>: the newest event of a chain, read by every audited save. Written as
    /// <c>WHERE "OrganizationId" = $1 ORDER BY "Sequence" DESC LIMIT 1</c>, the row-level security filter makes the
    /// planner expect about one row for the chain whenever its statistics are thin (a new table, or a chain that grew
    /// since the last ANALYZE), so it reads the chain's every row and sorts them; an append became slower with every
    /// event until autovacuum analyzed the table. The function plans that query with sorting switched off, which
    /// leaves the backward scan of the (OrganizationId, Sequence) index: one index probe, whatever the statistics say.
    /// It runs with the caller's rights, so the tenant policy still applies.
    /// </summary>
    public partial class AuditChainTail : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE FUNCTION kastell_audit_chain_tail(chain uuid) RETURNS SETOF "AuditEvents"
                LANGUAGE plpgsql STABLE SET enable_sort = off AS $$
                BEGIN
                    IF chain IS NULL THEN
                        RETURN QUERY SELECT * FROM "AuditEvents" e WHERE e."OrganizationId" IS NULL ORDER BY e."Sequence" DESC LIMIT 1;
                    ELSE
                        RETURN QUERY SELECT * FROM "AuditEvents" e WHERE e."OrganizationId" = chain ORDER BY e."Sequence" DESC LIMIT 1;
                    END IF;
                END $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION kastell_audit_chain_tail(uuid);");
        }
    }
}
