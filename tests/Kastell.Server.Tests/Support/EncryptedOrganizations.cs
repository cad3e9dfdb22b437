using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Support;

/// <summary>Organizations with an encrypted confidential description, read through EF and raw SQL.</summary>
public static class EncryptedOrganizations
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<Organization> CreateAsync(KastellHost host, string description, Guid? id = null, string? slug = null)
    {
        var org = new Organization
        {
            Id = id ?? Guid.NewGuid(),
            Slug = slug ?? "enc-" + Guid.NewGuid().ToString("N")[..10],
            Name = "Encrypted Org",
            CreatedAt = DateTimeOffset.UtcNow,
            ConfidentialDescription = description,
        };
        var (scope, db) = host.OpenDb(org.Id);
        await using (scope)
        {
            db.Organizations.Add(org);
            await db.SaveChangesAsync(Ct);
        }

        return org;
    }

    public static async Task<string?> ReadDescriptionAsync(KastellHost host, Guid organizationId)
    {
        var (scope, db) = host.OpenDb(organizationId);
        await using (scope)
        {
            return (await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == organizationId, Ct)).ConfidentialDescription;
        }
    }

    public static async Task UpdateDescriptionAsync(KastellHost host, Guid organizationId, string description)
    {
        var (scope, db) = host.OpenDb(organizationId);
        await using (scope)
        {
            (await db.Organizations.SingleAsync(o => o.Id == organizationId, Ct)).ConfidentialDescription = description;
            await db.SaveChangesAsync(Ct);
        }
    }

    /// <summary>The column as stored: ciphertext.</summary>
    public static async Task<string> StoredDescriptionAsync(KastellHost host, Organization org) =>
        Assert.Single(await RawDatabase.ColumnAsync(host, """SELECT "ConfidentialDescription" FROM "Organizations" WHERE "Slug" = @slug""", ("slug", org.Slug)))!;

    public static Task<int> SetStoredDescriptionAsync(KastellHost host, Organization org, string value) =>
        RawDatabase.ExecuteAsync(host, """UPDATE "Organizations" SET "ConfidentialDescription" = @value WHERE "Slug" = @slug""", ("value", value), ("slug", org.Slug));
}

public static class EncryptionAssert
{
    /// <summary>The operation fails with <typeparamref name="T"/>, directly or wrapped by EF.</summary>
    public static async Task<T> RefusedAsync<T>(Func<Task> operation)
        where T : Exception
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(operation);
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is T expected)
            {
                return expected;
            }
        }

        throw new Xunit.Sdk.XunitException($"Expected {typeof(T).Name}, got {error}");
    }
}
