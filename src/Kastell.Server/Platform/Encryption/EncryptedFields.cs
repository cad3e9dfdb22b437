using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Platform.Encryption;

/// <summary>Whose data key encrypts a field.</summary>
public enum EncryptionScope
{
    /// <summary>The platform data key: secrets of users, who exist outside any one organization.</summary>
    Platform,

    /// <summary>The owning organization's data key (the row's <c>OrganizationId</c>, or an organization's own id).</summary>
    Organization,
}

/// <summary>Marks string properties as encrypted at rest (see <see cref="FieldEncryptionInterceptor"/>).</summary>
public static class EncryptedFields
{
    /// <summary>Model annotation; it appears in migrations, so every encrypted column is visible there.</summary>
    public const string Annotation = "Kastell:EncryptedWith";

    public static PropertyBuilder<T> IsEncrypted<T>(this PropertyBuilder<T> property, EncryptionScope scope)
    {
        if (typeof(T) != typeof(string))
        {
            throw new InvalidOperationException($"Only string properties can be encrypted, not {typeof(T).Name} '{property.Metadata.Name}'.");
        }

        property.HasAnnotation(Annotation, scope.ToString());
        return property;
    }

    internal static IEnumerable<(IProperty Property, EncryptionScope Scope)> Of(IEntityType entityType)
    {
        foreach (var property in entityType.GetProperties())
        {
            if (property.FindAnnotation(Annotation)?.Value is string scope)
            {
                yield return (property, Enum.Parse<EncryptionScope>(scope));
            }
        }
    }

    internal static Guid? OrganizationOf(object entity, EncryptionScope scope) => scope switch
    {
        EncryptionScope.Platform => null,
        EncryptionScope.Organization => entity switch
        {
            ITenantOwned owned => owned.OrganizationId,
            Organization organization => organization.Id,
            _ => throw new InvalidOperationException($"{entity.GetType().Name} has organization-encrypted fields but no organization."),
        },
        _ => throw new InvalidOperationException($"Unknown encryption scope {scope}."),
    };

    internal static FieldLocation LocationOf(IEntityType entityType, IProperty property, Func<IProperty, object?> valueOf)
    {
        var key = entityType.FindPrimaryKey() ?? throw new InvalidOperationException($"{entityType.DisplayName()} needs a primary key to encrypt fields.");
        var rowId = System.Text.Json.JsonSerializer.Serialize(key.Properties.Select(p => Convert.ToString(valueOf(p), System.Globalization.CultureInfo.InvariantCulture)));
        return new FieldLocation(entityType.GetTableName() ?? entityType.Name, property.GetColumnName(), rowId);
    }
}
