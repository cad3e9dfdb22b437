using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Kastell.Server.Platform.Encryption;

/// <summary>
/// Re-encrypts an organization's values under its new data key, in small batches, without locking anyone out: each
/// value is replaced by a conditional UPDATE (<c>WHERE value = the ciphertext just read</c>), so a value a user
/// changes meanwhile (already under the new key) is never overwritten with older content. When a full pass finds
/// nothing left under an older key, the older keys are deleted — from then on, a copy of such a value cannot be read.
/// </summary>
public sealed class DataKeyReencryption(TenantScopes scopes, DataKeyRing ring, TimeProvider time)
{
    private const int BatchSize = 200;

    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    /// <summary>Runs (or resumes) one job to its end; <paramref name="progress"/> sees the job after every batch.</summary>
    public async Task<DataKeyRotationJob> RunAsync(Guid jobId, Guid organizationId, IProgress<DataKeyRotationJob>? progress, CancellationToken cancellationToken = default)
    {
        // One job at a time in this process (the worker and a caller may reach the same job); another instance
        // working on it too is safe, only slower: every replacement is conditional.
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            return await RunExclusiveAsync(jobId, organizationId, progress, cancellationToken);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<DataKeyRotationJob> RunExclusiveAsync(Guid jobId, Guid organizationId, IProgress<DataKeyRotationJob>? progress, CancellationToken cancellationToken)
    {
        await using var scope = scopes.Enter(organizationId, AuditActor.System("key-rotation"));
        var db = scope.Services.GetRequiredService<KastellDbContext>();
        var job = await db.DataKeyRotations.SingleAsync(j => j.Id == jobId, cancellationToken);
        if (!job.IsPending)
        {
            return job;
        }

        var fields = OrganizationFields(db.Model).ToList();
        var newKeyPrefix = FieldCipher.TextPrefixOf(job.NewKeyId);
        if (job.RowsDone == 0)
        {
            job.RowsTotal = 0;
            foreach (var field in fields)
            {
                job.RowsTotal += await CountOlderAsync(db, field, organizationId, newKeyPrefix, cancellationToken);
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        try
        {
            var newKey = ring.KeyForReading(job.NewKeyId, organizationId);
            int replaced;
            do
            {
                replaced = 0;
                foreach (var field in fields)
                {
                    replaced += await ReencryptAsync(db, job, field, newKey, newKeyPrefix, progress, cancellationToken);
                }
            }
            while (replaced > 0); // values written under an older key by a save already under way when the job began
        }
        catch (Exception ex) when (ex is DecryptionFailedException or KeyUnavailableException)
        {
            job.Failure = ex.Message.Length > 1000 ? ex.Message[..1000] : ex.Message;
            await db.SaveChangesAsync(cancellationToken);
            progress?.Report(job);
            return job;
        }

        var older = await db.DataKeys.Where(k => k.OrganizationId == organizationId && k.Id != job.NewKeyId).Select(k => k.Id).ToListAsync(cancellationToken);
        await db.DataKeys.Where(k => older.Contains(k.Id)).ExecuteDeleteAsync(cancellationToken);
        job.CompletedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        ring.Forget(older);
        progress?.Report(job);
        return job;
    }

    private async Task<int> ReencryptAsync(
        KastellDbContext db, DataKeyRotationJob job, Field field, byte[] newKey, string newKeyPrefix,
        IProgress<DataKeyRotationJob>? progress, CancellationToken cancellationToken)
    {
        // Identifiers come from the EF model (quoted), values are parameters.
        var select = $"SELECT {Quote(field.Key)} AS \"RowKey\", {Quote(field.Column)} AS \"Value\" FROM {Quote(field.Table)} " +
            $"WHERE {Quote(field.Owner)} = {{0}} AND {Quote(field.Column)} IS NOT NULL AND {Quote(field.Column)} NOT LIKE {{1}} LIMIT {BatchSize}";
        var update = $"UPDATE {Quote(field.Table)} SET {Quote(field.Column)} = {{0}} WHERE {Quote(field.Key)} = {{1}} AND {Quote(field.Column)} = {{2}}";
        var replaced = 0;
        while (true)
        {
            var rows = await db.Database.SqlQueryRaw<StoredValue>(select, job.OrganizationId, newKeyPrefix + "%").ToListAsync(cancellationToken);
            if (rows.Count == 0)
            {
                return replaced;
            }

            var batch = 0;
            foreach (var row in rows)
            {
                var location = EncryptedFields.LocationOf(field.EntityType, field.Property, _ => row.RowKey);
                var oldKey = ring.KeyForReading(FieldCipher.KeyIdOf(row.Value, location), job.OrganizationId);
                var ciphertext = FieldCipher.Encrypt(job.NewKeyId, newKey, FieldCipher.Decrypt(row.Value, oldKey, location), location);
                // Changed meanwhile (0 rows): the next query sees the new value, which is under the new key unless a
                // save was already under way when the rotation began.
                batch += await db.Database.ExecuteSqlRawAsync(update, [ciphertext, row.RowKey, row.Value], cancellationToken);
            }

            replaced += batch;
            job.RowsDone = Math.Min(job.RowsTotal, job.RowsDone + batch);
            await db.SaveChangesAsync(cancellationToken);
            progress?.Report(job);
        }
    }

    private static Task<int> CountOlderAsync(KastellDbContext db, Field field, Guid organizationId, string newKeyPrefix, CancellationToken cancellationToken)
    {
        var count = $"SELECT COUNT(*) AS \"Value\" FROM {Quote(field.Table)} WHERE {Quote(field.Owner)} = {{0}} AND {Quote(field.Column)} IS NOT NULL AND {Quote(field.Column)} NOT LIKE {{1}}";
        return db.Database.SqlQueryRaw<int>(count, organizationId, newKeyPrefix + "%").SingleAsync(cancellationToken);
    }

    /// <summary>Every column encrypted with an organization's key, with the column naming the owning organization.</summary>
    internal static IEnumerable<Field> OrganizationFields(IModel model)
    {
        foreach (var entityType in model.GetEntityTypes().Where(e => !e.IsOwned()))
        {
            foreach (var (property, scope) in EncryptedFields.Of(entityType).Where(f => f.Scope == EncryptionScope.Organization))
            {
                var key = entityType.FindPrimaryKey()?.Properties is [{ ClrType: var type } single] && type == typeof(Guid)
                    ? single
                    : throw new NotSupportedException($"{entityType.DisplayName()} needs a single Guid primary key for its organization-encrypted fields to be re-encrypted.");
                var owner = entityType.ClrType == typeof(Organization) ? key
                    : entityType.FindProperty(nameof(ITenantOwned.OrganizationId)) ?? throw new NotSupportedException($"{entityType.DisplayName()} has no OrganizationId.");
                yield return new Field(entityType, property, entityType.GetTableName()!, property.GetColumnName(), key.GetColumnName(), owner.GetColumnName());
            }
        }
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    internal sealed record Field(IEntityType EntityType, IProperty Property, string Table, string Column, string Key, string Owner);

    private sealed class StoredValue
    {
        public Guid RowKey { get; set; }

        public string Value { get; set; } = "";
    }
}
