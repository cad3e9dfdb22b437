#pragma warning disable EF1001 // EF Core's materializer source is internal API: replacing it is what keeps decryption off every other entity's path.
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Query.Internal;
using Microsoft.EntityFrameworkCore.Storage;

namespace Kastell.Server.Platform.Encryption;

/// <summary>
/// Decrypts fields marked <c>IsEncrypted</c> as rows are materialized, compiled into the materializer of exactly the
/// entity types that have such fields. It replaced an <c>IMaterializationInterceptor</c>: with any such interceptor
/// registered, EF Core builds a dictionary of two freshly created delegates per property for every row of every entity
/// type it reads (an audit page view created some 70,000 delegates, a files page of 100 rows 2,200), whether or not
/// the type has anything to decrypt. Here a row of a type without encrypted fields costs nothing, and one with them a
/// single call, which does what the interceptor did: each field is decrypted with its organization's (or the
/// platform's) data key and bound to its table, column and row, so a value moved elsewhere fails to decrypt.
/// </summary>
public sealed class DecryptingMaterializerSource(StructuralTypeMaterializerSourceDependencies dependencies)
    : StructuralTypeMaterializerSource(dependencies), IStructuralTypeMaterializerSource
{
    private static readonly MethodInfo DecryptMethod = typeof(DecryptingMaterializerSource).GetMethod(nameof(Decrypt), BindingFlags.NonPublic | BindingFlags.Static)!;

    Expression IStructuralTypeMaterializerSource.CreateMaterializeExpression(StructuralTypeMaterializerSourceParameters parameters, Expression materializationContextExpression)
    {
        var materialize = CreateMaterializeExpression(parameters, materializationContextExpression);
        if (parameters.StructuralType is not IEntityType entityType || !EncryptedFields.Of(entityType).Any())
        {
            return materialize;
        }

        var instance = Expression.Variable(materialize.Type, "encrypted");
        return Expression.Block(
            materialize.Type,
            [instance],
            Expression.Assign(instance, materialize),
            Expression.Call(DecryptMethod, materializationContextExpression, Expression.Constant(entityType), Expression.Convert(instance, typeof(object))),
            instance);
    }

    private static void Decrypt(MaterializationContext context, IEntityType entityType, object entity)
    {
        DataKeyRing? keys = null;
        foreach (var (property, scope) in EncryptedFields.Of(entityType))
        {
            if (property.PropertyInfo?.GetValue(entity) is not string stored)
            {
                continue;
            }

            keys ??= context.Context.GetService<DataKeyRing>();
            var location = EncryptedFields.LocationOf(entityType, property, p => p.PropertyInfo?.GetValue(entity));
            var key = keys.KeyForReading(FieldCipher.KeyIdOf(stored, location), EncryptedFields.OrganizationOf(entity, scope));
            property.PropertyInfo.SetValue(entity, FieldCipher.Decrypt(stored, key, location));
        }
    }
}
