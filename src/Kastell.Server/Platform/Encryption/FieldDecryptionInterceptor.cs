using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Kastell.Server.Platform.Encryption;

/// <summary>
/// Decrypts fields marked <c>IsEncrypted</c> as rows are materialized. Materialization interceptors are part of
/// EF Core's internal service provider, so a new instance per host would make EF build a new internal provider per
/// host; hence one stateless instance for the process, which finds the host's <see cref="DataKeyRing"/> through
/// the context's application services.
/// </summary>
public sealed class FieldDecryptionInterceptor : IMaterializationInterceptor
{
    public static readonly FieldDecryptionInterceptor Instance = new();

    private FieldDecryptionInterceptor()
    {
    }

    public object InitializedInstance(MaterializationInterceptionData materializationData, object entity)
    {
        var entityType = materializationData.EntityType;
        DataKeyRing? keys = null;
        foreach (var (property, scope) in EncryptedFields.Of(entityType))
        {
            if (property.PropertyInfo?.GetValue(entity) is not string stored)
            {
                continue;
            }

            keys ??= materializationData.Context.GetService<DataKeyRing>();
            var location = EncryptedFields.LocationOf(entityType, property, p => p.PropertyInfo?.GetValue(entity));
            var key = keys.KeyForReading(FieldCipher.KeyIdOf(stored, location), EncryptedFields.OrganizationOf(entity, scope));
            property.PropertyInfo.SetValue(entity, FieldCipher.Decrypt(stored, key, location));
        }

        return entity;
    }
}
