using System.Runtime.CompilerServices;
using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Kastell.Server.Platform.Encryption;

/// <summary>
/// Encrypts fields marked <c>IsEncrypted</c>
/// just before they are written (<see cref="DecryptingMaterializerSource"/> decrypts them as rows are read), so
/// entities only ever hold plaintext in memory and the database only ever ciphertext. An interceptor rather than a value converter because the ciphertext is
/// bound to its row id, which a converter never sees. Encryption happens before any SQL is sent, so a failure
/// writes nothing. The current data key of each organization is looked up once per save (without blocking in
/// SaveChangesAsync), not once per field. Bulk updates (ExecuteUpdate) and projections of encrypted columns bypass it and see ciphertext.
/// </summary>
public sealed class FieldEncryptionInterceptor(DataKeyRing keys) : ISaveChangesInterceptor
{
    private readonly ConditionalWeakTable<DbContext, List<Encrypted>> _pending = new();

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is KastellDbContext db)
        {
            var fields = PendingFields(db);
            var scopeKeys = new Dictionary<Guid, (Guid, byte[])>();
            foreach (var organization in fields.Select(f => f.OrganizationId).Distinct())
            {
                scopeKeys[ScopeOf(organization)] = keys.CurrentKeyForSaving(db, organization);
            }

            Encrypt(db, fields, scopeKeys);
        }

        return result;
    }

    public async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is KastellDbContext db)
        {
            var fields = PendingFields(db);
            var scopeKeys = new Dictionary<Guid, (Guid, byte[])>();
            foreach (var organization in fields.Select(f => f.OrganizationId).Distinct())
            {
                scopeKeys[ScopeOf(organization)] = await keys.CurrentKeyForSavingAsync(db, organization, cancellationToken);
            }

            Encrypt(db, fields, scopeKeys);
        }

        return result;
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        RestorePlaintext(eventData.Context, saved: true);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        RestorePlaintext(eventData.Context, saved: true);
        return ValueTask.FromResult(result);
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => RestorePlaintext(eventData.Context, saved: false);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        RestorePlaintext(eventData.Context, saved: false);
        return Task.CompletedTask;
    }

    public void SaveChangesCanceled(DbContextEventData eventData) => RestorePlaintext(eventData.Context, saved: false);

    public Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        RestorePlaintext(eventData.Context, saved: false);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A tracked row's original values are snapshotted from the database (ciphertext); make them the plaintext,
    /// or every row read would count as modified and be rewritten on the next save.
    /// </summary>
    internal static void AcceptDecryptedValues(object? sender, EntityTrackedEventArgs e)
    {
        if (!e.FromQuery)
        {
            return;
        }

        foreach (var (property, _) in EncryptedFields.Of(e.Entry.Metadata))
        {
            var entry = e.Entry.Property(property.Name);
            entry.OriginalValue = entry.CurrentValue;
        }
    }

    /// <summary>Every field to encrypt in this save, with whose key; the keys are looked up once per scope, not per field.</summary>
    private static List<Pending> PendingFields(KastellDbContext db)
    {
        db.ChangeTracker.DetectChanges();
        var fields = new List<Pending>();
        foreach (var entry in db.ChangeTracker.Entries().ToList())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified))
            {
                continue;
            }

            foreach (var (property, scope) in EncryptedFields.Of(entry.Metadata))
            {
                var field = entry.Property(property.Name);
                if ((entry.State == EntityState.Modified && !field.IsModified) || field.CurrentValue is not string plaintext)
                {
                    continue;
                }

                if (entry.Metadata.FindPrimaryKey()!.Properties.Any(p => entry.Property(p.Name).IsTemporary))
                {
                    throw new InvalidOperationException($"{entry.Metadata.DisplayName()} needs its key before its encrypted fields can be saved.");
                }

                var location = EncryptedFields.LocationOf(entry.Metadata, property, p => entry.Property(p.Name).CurrentValue);
                fields.Add(new Pending(field, plaintext, location, EncryptedFields.OrganizationOf(entry.Entity, scope)));
            }
        }

        return fields;
    }

    private void Encrypt(KastellDbContext db, List<Pending> fields, Dictionary<Guid, (Guid KeyId, byte[] Key)> scopeKeys)
    {
        var encrypted = new List<Encrypted>();
        try
        {
            foreach (var pending in fields)
            {
                var (keyId, key) = scopeKeys[ScopeOf(pending.OrganizationId)];
                var ciphertext = FieldCipher.Encrypt(keyId, key, pending.Plaintext, pending.Location);
                encrypted.Add(new Encrypted(pending.Field, pending.Plaintext));
                pending.Field.CurrentValue = ciphertext;
            }
        }
        catch
        {
            // Leave the entities as they were: plaintext in memory, nothing written.
            foreach (var (field, plaintext) in encrypted)
            {
                field.CurrentValue = plaintext;
            }

            throw;
        }

        _pending.AddOrUpdate(db, encrypted);
    }

    private void RestorePlaintext(DbContext? context, bool saved)
    {
        if (context is null || !_pending.TryGetValue(context, out var encrypted))
        {
            return;
        }

        _pending.Remove(context);
        foreach (var (field, plaintext) in encrypted)
        {
            field.CurrentValue = plaintext;
            if (saved)
            {
                field.OriginalValue = plaintext;
                field.IsModified = false;
            }
        }
    }

    private sealed record Encrypted(PropertyEntry Field, string Plaintext);

    /// <summary>A dictionary key for a scope: no organization (the platform key) as the empty id, which no organization has.</summary>
    private static Guid ScopeOf(Guid? organizationId) => organizationId ?? Guid.Empty;

    private sealed record Pending(PropertyEntry Field, string Plaintext, FieldLocation Location, Guid? OrganizationId);
}
