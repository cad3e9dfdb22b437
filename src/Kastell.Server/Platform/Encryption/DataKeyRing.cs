using System.Collections.Concurrent;
using System.Security.Cryptography;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Encryption;

/// <summary>
/// Finds, creates and unwraps data keys. Unwrapped keys are kept in memory for <see cref="CacheLifetime"/> so that
/// a page does not ask the KEK provider (an HSM round trip) for every row; they are never logged or serialized.
/// </summary>
public sealed class DataKeyRing(IKeyEncryptionKeyProvider kek, TenantScopes scopes, TimeProvider time)
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<Guid, CachedKey> _cache = new();

    /// <summary>
    /// The key new values of a scope are encrypted with, from the saving context. A missing key is created and added
    /// to that context, so it is stored in the same transaction as the first value it encrypts — or not at all.
    /// </summary>
    internal (Guid KeyId, byte[] Key) CurrentKeyForSaving(KastellDbContext db, Guid? organizationId) =>
        UseOrCreate(db, organizationId, PendingKey(db, organizationId) ?? CurrentQuery(db, organizationId).FirstOrDefault());

    /// <inheritdoc cref="CurrentKeyForSaving"/>
    internal async Task<(Guid KeyId, byte[] Key)> CurrentKeyForSavingAsync(KastellDbContext db, Guid? organizationId, CancellationToken cancellationToken) =>
        UseOrCreate(db, organizationId, PendingKey(db, organizationId) ?? await CurrentQuery(db, organizationId).FirstOrDefaultAsync(cancellationToken));

    private static DataKey? PendingKey(KastellDbContext db, Guid? organizationId) =>
        db.ChangeTracker.Entries<DataKey>()
            .Where(e => e.State == EntityState.Added && e.Entity.OrganizationId == organizationId)
            .Select(e => e.Entity).FirstOrDefault();

    private static IQueryable<DataKey> CurrentQuery(KastellDbContext db, Guid? organizationId) =>
        db.DataKeys.AsNoTracking()
            .Where(k => k.OrganizationId == organizationId)
            .OrderByDescending(k => k.CreatedAt).ThenBy(k => k.Id);

    private (Guid KeyId, byte[] Key) UseOrCreate(KastellDbContext db, Guid? organizationId, DataKey? stored)
    {
        if (stored is not null)
        {
            return (stored.Id, Unwrapped(stored));
        }

        var (created, key) = NewKey(organizationId);
        db.DataKeys.Add(created);
        return (created.Id, key);
    }

    /// <summary>
    /// A fresh data key for a scope, wrapped with the current KEK, for the caller to store. It is cached at once:
    /// if storing it fails, nothing encrypted with it was stored either.
    /// </summary>
    internal (DataKey Stored, byte[] Key) NewKey(Guid? organizationId)
    {
        var created = new DataKey { Id = Guid.NewGuid(), OrganizationId = organizationId, CreatedAt = time.GetUtcNow() };
        var key = RandomNumberGenerator.GetBytes(AesGcmBlob.KeySize);
        created.KekVersion = kek.CurrentVersion();
        created.WrappedKey = kek.Wrap(created.KekVersion, key, DataKey.WrapAssociatedData(created.Id, organizationId));
        _cache[created.Id] = new CachedKey(key, organizationId, time.GetUtcNow() + CacheLifetime);
        return (created, key);
    }

    /// <summary>
    /// The key a stored value names, read through its own short-lived context (the caller's context may be in
    /// the middle of reading rows). The key must belong to <paramref name="organizationId"/> (null: platform).
    /// </summary>
    internal byte[] KeyForReading(Guid keyId, Guid? organizationId)
    {
        if (_cache.TryGetValue(keyId, out var cached) && cached.ExpiresAt > time.GetUtcNow() && cached.OrganizationId == organizationId)
        {
            return cached.Key;
        }

        using var scope = scopes.EnterChain(organizationId, AuditActor.System("key-ring"));

        var db = scope.Services.GetRequiredService<KastellDbContext>();
        var stored = db.DataKeys.AsNoTracking().FirstOrDefault(k => k.Id == keyId);
        if (stored is null || stored.OrganizationId != organizationId)
        {
            throw new KeyUnavailableException($"Data key {keyId} does not exist for this {(organizationId is null ? "platform scope" : "organization")}; the value cannot be decrypted.");
        }

        return Unwrapped(stored);
    }

    /// <summary>Drops every unwrapped key from memory (after KEK rotation, and in tests to force a fresh unwrap).</summary>
    public void Forget() => Forget(_cache.Keys);

    /// <summary>
    /// Drops these unwrapped keys from the cache (destroyed data keys must not outlive their rows here). The arrays are
    /// not zeroed: a save or a re-encryption job may still hold the same array, and zeroing it under them would make
    /// them encrypt with an all-zero key.
    /// </summary>
    public void Forget(IEnumerable<Guid> keyIds)
    {
        foreach (var key in keyIds.ToList())
        {
            _cache.TryRemove(key, out _);
        }
    }

    private byte[] Unwrapped(DataKey stored)
    {
        if (_cache.TryGetValue(stored.Id, out var cached) && cached.ExpiresAt > time.GetUtcNow())
        {
            return cached.Key;
        }

        var key = kek.Unwrap(stored.KekVersion, stored.WrappedKey, DataKey.WrapAssociatedData(stored.Id, stored.OrganizationId));
        if (key.Length != AesGcmBlob.KeySize)
        {
            throw new DecryptionFailedException($"Data key {stored.Id} unwrapped to {key.Length} bytes instead of {AesGcmBlob.KeySize}.");
        }

        _cache[stored.Id] = new CachedKey(key, stored.OrganizationId, time.GetUtcNow() + CacheLifetime);
        return key;
    }

    private sealed record CachedKey(byte[] Key, Guid? OrganizationId, DateTimeOffset ExpiresAt);
}
