using System.Data.Common;
using System.Globalization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Kastell.Server.Platform.Audit;

/// <summary>
/// Appends many events of the current chain in one transaction of their own, for jobs that record events in bulk
/// (imports, retention, replays) where <see cref="IAuditLog"/>'s change tracking would dominate the cost. Same chain
/// lock, numbering, hashing and checkpoints as <see cref="AuditChainSealer"/> (it seals them), then the rows are
/// written in the same transaction: on SQLite by one prepared INSERT per row, on PostgreSQL by binary COPY. Values come
/// from EF's own type mappings and converters, so the stored form is identical to what <c>SaveChanges</c> writes.
/// </summary>
internal sealed class AuditBulkAppender(KastellDbContext db, TenantContext tenant, AuditChainSealer sealer, TimeProvider time, IHttpContextAccessor http)
{
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
        if (db.Database.IsNpgsql())
        {
            await CopyAsync(events, transaction.GetDbTransaction(), cancellationToken);
        }
        else
        {
            await InsertAsync(events, transaction.GetDbTransaction(), cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken); // the checkpoints, through EF
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// SQLite: one single-row statement, prepared once and run per row (its parameters are bound by name with a linear
    /// search, so one statement with thousands of parameters would be slower).
    /// </summary>
    private async Task InsertAsync(List<AuditEvent> rows, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = CreateInsert(transaction);
        foreach (var row in rows)
        {
            for (var c = 0; c < Columns.Count; c++)
            {
                command.Parameters[c].Value = ToProvider(Columns[c], row) ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// PostgreSQL: binary COPY into a temporary table that lives until the commit, then one INSERT … SELECT into the
    /// audit table. PostgreSQL refuses COPY FROM into a table under row-level security, so the detour is what keeps the
    /// tenant policy's WITH CHECK and the table's triggers applied to every row, exactly as for a plain INSERT; the
    /// temporary table has neither (LIKE copies columns only) and is visible to this session alone. Everything runs in
    /// the caller's transaction: a failure anywhere leaves no row and no checkpoint, and the chain head stays put.
    /// </summary>
    private async Task CopyAsync(List<AuditEvent> rows, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)transaction.Connection!;
        var (table, columns) = TableAndColumns();
        await using (var create = connection.CreateCommand())
        {
            create.Transaction = (NpgsqlTransaction)transaction;
            create.CommandText = $"CREATE TEMPORARY TABLE {ImportTable} (LIKE {table}) ON COMMIT DROP";
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var types = Columns.Select(c => StoreTypeName(c.GetColumnType())).ToArray();
        await using (var writer = await connection.BeginBinaryImportAsync($"COPY {ImportTable} ({columns}) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var row in rows)
            {
                await writer.StartRowAsync(cancellationToken);
                for (var c = 0; c < Columns.Count; c++)
                {
                    if (ToProvider(Columns[c], row) is { } value)
                    {
                        await writer.WriteAsync(value, types[c], cancellationToken);
                    }
                    else
                    {
                        await writer.WriteNullAsync(cancellationToken);
                    }
                }
            }

            await writer.CompleteAsync(cancellationToken);
        }

        await using var insert = connection.CreateCommand();
        insert.Transaction = (NpgsqlTransaction)transaction;
        insert.CommandText = $"INSERT INTO {table} ({columns}) SELECT {columns} FROM {ImportTable}";
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    private const string ImportTable = "kastell_audit_import";

    /// <summary>"character varying(128)" → "character varying": COPY writes the base type; the columns check the length.</summary>
    private static string StoreTypeName(string columnType) =>
        columnType.IndexOf('(', StringComparison.Ordinal) is var open and >= 0 ? columnType[..open] : columnType;

    private List<IProperty> Columns => _columns ??= [.. db.Model.FindEntityType(typeof(AuditEvent))!.GetProperties()];

    private List<IProperty>? _columns;

    private (string Table, string Columns) TableAndColumns()
    {
        var entity = db.Model.FindEntityType(typeof(AuditEvent))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        return (Quote(table.Name), string.Join(", ", Columns.Select(p => Quote(p.GetColumnName(table)!))));
    }

    private DbCommand CreateInsert(DbTransaction transaction)
    {
        var (table, columns) = TableAndColumns();
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        var names = new List<string>(Columns.Count);
        for (var c = 0; c < Columns.Count; c++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"@p{c}");
            names.Add(name);
            // EF's own mapping sets the provider type exactly as SaveChanges would.
            command.Parameters.Add(((RelationalTypeMapping)Columns[c].GetTypeMapping()).CreateParameter(command, name, null, Columns[c].IsNullable));
        }

        command.CommandText = $"INSERT INTO {table} ({columns}) VALUES ({string.Join(", ", names)})";
        return command;
    }

    /// <summary>The column's value as the provider stores it (EF's value converter applied), or null.</summary>
    private static object? ToProvider(IProperty column, AuditEvent row)
    {
        var value = column.GetGetter().GetClrValue(row);
        if (value is not null && column.GetTypeMapping().Converter is { } converter)
        {
            value = converter.ConvertToProvider(value);
        }

        return value;
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
