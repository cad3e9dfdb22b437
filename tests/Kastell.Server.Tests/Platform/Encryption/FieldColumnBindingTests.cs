using Kastell.Server.Features.Accounts.Mfa;
using Kastell.Server.Features.Organizations;
using Kastell.Server.Features.Organizations.Members;
using Kastell.Server.Platform.Encryption;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Storage;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.Organizations;
using Kastell.Server.Tests.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Platform.Encryption;

/// <summary>
/// An encrypted field is bound to its column, not only to its table and row: a file record has three values under the
/// same organization key in one row (name, hash, content key), and one of them copied into another's column must not
/// decrypt there — or a database writer could make the content key show up as the file's name.
/// </summary>
public abstract class FieldColumnBindingTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ValueEncryptedForOneColumn_MovedToAnotherColumnOfTheSameRow_FailsToDecrypt()
    {
        var org = await EncryptedOrganizations.CreateAsync(host, "Dateien");
        var file = new StoredObject
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = org.Id,
            SpaceId = Guid.NewGuid(),
            FileName = "bericht.txt",
            Sha256 = new string('a', 64),
            ContentKey = "c2NobMO8c3NlbA==",
            CreatedAt = DateTimeOffset.UtcNow,
        };
        var (scope, db) = host.OpenDb(org.Id);
        await using (scope)
        {
            db.Spaces.Add(new Space { Id = file.SpaceId, OrganizationId = org.Id, Slug = "ablage", Name = "Ablage", CreatedAt = DateTimeOffset.UtcNow });
            db.StoredObjects.Add(file); // the encrypting interceptor seals each of the three values for its own column
            await db.SaveChangesAsync(Ct);
        }

        // Raw SQL inside the tenant (row-level security on PostgreSQL), past the encrypting interceptor: the hash's
        // ciphertext, same key and same row, becomes the name's.
        (scope, db) = host.OpenDb(org.Id);
        await using (scope)
        {
            var moved = await db.Database.ExecuteSqlRawAsync(
                "UPDATE \"StoredObjects\" SET \"FileName\" = \"Sha256\" WHERE \"Id\" = {0}", [file.Id], Ct);
            Assert.Equal(1, moved);
        }

        var error = await EncryptionAssert.RefusedAsync<DecryptionFailedException>(async () =>
        {
            var (readScope, readDb) = host.OpenDb(org.Id);
            await using (readScope)
            {
                await readDb.StoredObjects.AsNoTracking().SingleAsync(o => o.Id == file.Id, Ct);
            }
        });
        Assert.Contains("StoredObjects.FileName", error.Message, StringComparison.Ordinal);
    }
}

public sealed class FieldColumnBindingTestsOnSqlite(SqliteHost host) : FieldColumnBindingTests(host), IClassFixture<SqliteHost>;

public sealed class FieldColumnBindingTestsOnPostgres(PostgresHost host) : FieldColumnBindingTests(host), IClassFixture<PostgresHost>;
