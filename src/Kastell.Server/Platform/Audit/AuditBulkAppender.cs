using System.Data.Common;
using System.Globalization;
using System.Text;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Kastell.Server.Platform.Audit;

/// <summary>
/// Appends many events of the current chain in one transaction of their own, for jobs that record events in bulk
/// (imports, retention, replays) where <see cref="IAuditLog"/>'s change tracking would dominate the cost. Same chain
/// lock, numbering, hashing and checkpoints as <see cref="AuditChainSealer"/>; rows are written with multi-row INSERT
/// statements whose parameters EF's own type mappings produce, so the stored form is identical on both providers and
/// PostgreSQL's row-level-security checks apply as for any insert.
/// </summary>
internal sealed class AuditBulkAppender(KastellDbContext db, TenantContext tenant, AuditChainSealer sealer, TimeProvider time, IHttpContextAccessor http)
{
    /// <summary>Rows per INSERT: 18 parameters each stays far below SQLite's and PostgreSQL's parameter limits.</summary>
    private const int RowsPerStatement = 500;

    public async Task AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var builder = new AuditLog(db, tenant, time, http);
        var events = entries.Select(builder.Build).ToList();
        var chain = tenant.OrganizationId;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await sealer.SealAsync(db, chain, events, cancellationToken);
        await InsertAsync(events, transaction.GetDbTransaction(), cancellationToken);
        await db.SaveChangesAsync(cancellationToken); // the checkpoints, through EF
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// SQLite: one single-row statement, prepared once and run per row (its parameters are bound by name with a
    /// linear search, so one statement with thousands of parameters would be slow). PostgreSQL: multi-row statements,
    /// one round trip per <see cref="RowsPerStatement"/> rows.
    /// </summary>
    private async Task InsertAsync(List<AuditEvent> rows, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var perStatement = db.Database.IsSqlite() ? 1 : RowsPerStatement;
        DbCommand? command = null;
        try
        {
            for (var start = 0; start < rows.Count; start += perStatement)
            {
                var count = Math.Min(perStatement, rows.Count - start);
                if (command is null || command.Parameters.Count != count * Columns.Count)
                {
                    if (command is not null)
                    {
                        await command.DisposeAsync();
                    }

                    command = CreateInsert(transaction, count);
                }

                for (var r = 0; r < count; r++)
                {
                    for (var c = 0; c < Columns.Count; c++)
                    {
                        command.Parameters[(r * Columns.Count) + c].Value = ToProvider(Columns[c], rows[start + r]);
                    }
                }

                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        finally
        {
            if (command is not null)
            {
                await command.DisposeAsync();
            }
        }
    }

    private List<IProperty> Columns => _columns ??= [.. db.Model.FindEntityType(typeof(AuditEvent))!.GetProperties()];

    private List<IProperty>? _columns;

    private DbCommand CreateInsert(DbTransaction transaction, int rows)
    {
        var entity = db.Model.FindEntityType(typeof(AuditEvent))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        var sql = new StringBuilder("INSERT INTO ")
            .Append(Quote(table.Name)).Append(" (")
            .AppendJoin(", ", Columns.Select(p => Quote(p.GetColumnName(table)!)))
            .Append(") VALUES ");
        for (var r = 0; r < rows; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < Columns.Count; c++)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"@p{r}_{c}");
                sql.Append(c == 0 ? "" : ", ").Append(name);
                // EF's own mapping sets the provider type (and converts the value) exactly as SaveChanges would.
                command.Parameters.Add(((RelationalTypeMapping)Columns[c].GetTypeMapping()).CreateParameter(command, name, null, Columns[c].IsNullable));
            }

            sql.Append(')');
        }

        command.CommandText = sql.ToString();
        return command;
    }

    private static object ToProvider(IProperty column, AuditEvent row)
    {
        var value = column.GetGetter().GetClrValue(row);
        if (value is not null && column.GetTypeMapping().Converter is { } converter)
        {
            value = converter.ConvertToProvider(value);
        }

        return value ?? DBNull.Value;
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
