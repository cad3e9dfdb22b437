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
/// written in the same transaction: on SQLite by one prepared INSERT per row, on PostgreSQL by one INSERT of arrays. Values come
/// from EF's own type mappings and converters, so the stored form is identical to what <c>SaveChanges</c> writes.
/// </summary>
internal sealed class AuditBulkAppender(KastellDbContext db, Tenant tenant, AuditChainSealer sealer, TimeProvider time, IHttpContextAccessor http, MemberEventCopies memberCopies)
{
    public async Task AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var builder = new AuditLog(db, tenant, time, http, memberCopies); // builds only: bulk events are no member copies
        var events = entries.Select(builder.Build).ToList();
        var chain = tenant.OrganizationId;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await sealer.SealAsync(db, chain, events, cancellationToken);
        if (db.Database.IsNpgsql())
        {
            await InsertArraysAsync(events, transaction.GetDbTransaction(), cancellationToken);
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
    /// PostgreSQL: one <c>INSERT … SELECT FROM unnest(…)</c> with one array parameter per column, so the whole batch
    /// is a single statement and a single round trip. It is a plain INSERT: the tenant policy's WITH CHECK, the column
    /// lengths and the table's triggers apply to every row (binary COPY would be refused under row-level security, and
    /// copying into a temporary table first cost a catalog write per batch and every row written twice). It runs in
    /// the caller's transaction: a failure leaves no row and no checkpoint, and the chain head stays put.
    /// </summary>
    private async Task InsertArraysAsync(List<AuditEvent> rows, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var (table, columns) = TableAndColumns();
        await using var command = (NpgsqlCommand)transaction.Connection!.CreateCommand();
        command.Transaction = (NpgsqlTransaction)transaction;
        var arguments = new List<string>(Columns.Count);
        for (var c = 0; c < Columns.Count; c++)
        {
            var column = Columns[c];
            var mapping = (RelationalTypeMapping)column.GetTypeMapping();
            var values = ColumnArray(column, mapping, rows);
            command.Parameters.Add(new NpgsqlParameter { ParameterName = string.Create(CultureInfo.InvariantCulture, $"p{c}"), Value = values, DataTypeName = StoreTypeName(mapping.StoreType) + "[]" });
            arguments.Add(string.Create(CultureInfo.InvariantCulture, $"@p{c}"));
        }

        command.CommandText = $"INSERT INTO {table} ({columns}) SELECT * FROM unnest({string.Join(", ", arguments)})";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// The column's provider values for all rows as a typed array (<c>Guid?[]</c> for a nullable uuid, <c>string[]</c>
    /// for text…), which Npgsql sends as one binary PostgreSQL array.
    /// </summary>
    private static Array ColumnArray(IProperty column, RelationalTypeMapping mapping, List<AuditEvent> rows)
    {
        var providerType = mapping.Converter?.ProviderClrType ?? column.ClrType;
        if (providerType.IsValueType && column.IsNullable && Nullable.GetUnderlyingType(providerType) is null)
        {
            providerType = typeof(Nullable<>).MakeGenericType(providerType);
        }

        var values = Array.CreateInstance(providerType, rows.Count);
        for (var r = 0; r < rows.Count; r++)
        {
            values.SetValue(ToProvider(column, rows[r]), r);
        }

        return values;
    }

    /// <summary>"character varying(128)" → "character varying": the arrays carry the base type; the columns check the length.</summary>
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
