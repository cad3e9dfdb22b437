using System.Data;
using System.Data.Common;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Kastell.Server.Platform.Audit;

/// <summary>
/// Streams one chain's events in sequence order, a chunk at a time, with a plain data reader: verification reads
/// every row of a chain once, and EF's materialization (with its interceptors) cost far more than the hashing.
/// Columns and conversions come from EF's model (each column read as its provider type, then EF's value converter),
/// so the events are the same as EF would materialize. The command runs on the context's connection, so on
/// PostgreSQL the session's tenant and the row-level-security policies apply as to any query.
/// </summary>
internal static class AuditEventReader
{
    public static IAsyncEnumerable<List<AuditEvent>> ReadAsync(KastellDbContext db, Guid? chain, int chunkSize, CancellationToken cancellationToken) =>
        ReadAsync(db, chain, afterSequence: 0, chunkSize, cancellationToken);

    /// <summary>Only the events after <paramref name="afterSequence"/> (the indicator's incremental path).</summary>
    public static async IAsyncEnumerable<List<AuditEvent>> ReadAsync(KastellDbContext db, Guid? chain, long afterSequence, int chunkSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var entity = db.Model.FindEntityType(typeof(AuditEvent))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var properties = entity.GetProperties().ToList();
        var columns = properties.Select(Column).ToArray();
        var organization = entity.FindProperty(nameof(AuditEvent.OrganizationId))!;
        var sequence = entity.FindProperty(nameof(AuditEvent.Sequence))!;

        // Opened (and the tenant applied, on PostgreSQL) through EF, then used directly.
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            var where = chain is null ? $"{Quote(organization.GetColumnName(table)!)} IS NULL" : $"{Quote(organization.GetColumnName(table)!)} = @chain";
            if (afterSequence > 0)
            {
                where += $" AND {Quote(sequence.GetColumnName(table)!)} > @after";
                var sequenceMapping = (RelationalTypeMapping)sequence.GetTypeMapping();
                command.Parameters.Add(sequenceMapping.CreateParameter(command, "@after", afterSequence, nullable: false));
            }

            command.CommandText = $"SELECT {string.Join(", ", properties.Select(p => Quote(p.GetColumnName(table)!)))} FROM {Quote(table.Name)} WHERE {where} ORDER BY {Quote(sequence.GetColumnName(table)!)}";
            if (chain is { } id)
            {
                var mapping = (RelationalTypeMapping)organization.GetTypeMapping();
                command.Parameters.Add(mapping.CreateParameter(command, "@chain", mapping.Converter?.ConvertToProvider(id) ?? id, nullable: false));
            }

            await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
            var chunk = new List<AuditEvent>(chunkSize);
            while (await reader.ReadAsync(cancellationToken))
            {
                var e = new AuditEvent();
                for (var i = 0; i < columns.Length; i++)
                {
                    columns[i](reader, i, e);
                }

                chunk.Add(e);
                if (chunk.Count == chunkSize)
                {
                    yield return chunk;
                    chunk = new List<AuditEvent>(chunkSize);
                }
            }

            if (chunk.Count > 0)
            {
                yield return chunk;
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static Action<DbDataReader, int, AuditEvent> Column(IProperty property)
    {
        var converter = property.GetTypeMapping().Converter;
        var providerType = converter?.ProviderClrType ?? property.ClrType;
        providerType = Nullable.GetUnderlyingType(providerType) ?? providerType;
        var read = (Func<DbDataReader, int, object?>)ReadMethod.MakeGenericMethod(providerType).CreateDelegate(typeof(Func<DbDataReader, int, object?>));
        var set = Setter(property.PropertyInfo!);
        return converter is null
            ? (reader, i, e) => set(e, read(reader, i))
            : (reader, i, e) => set(e, read(reader, i) is { } value ? converter.ConvertFromProvider(value) : null);
    }

    private static readonly MethodInfo ReadMethod = typeof(AuditEventReader).GetMethod(nameof(Read), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static object? Read<T>(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<T>(ordinal);

    private static Action<AuditEvent, object?> Setter(PropertyInfo property)
    {
        var target = Expression.Parameter(typeof(AuditEvent));
        var value = Expression.Parameter(typeof(object));
        return Expression.Lambda<Action<AuditEvent, object?>>(
            Expression.Assign(Expression.Property(target, property), Expression.Convert(value, property.PropertyType)), target, value).Compile();
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
