using System.Net;
using Kastell.Server.Platform.Encryption;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Platform.Encryption;

/// <summary>
/// Encryption at rest end to end, on each database provider with each key provider: what reaches the database,
/// what comes back, what is refused, rotation and instances sharing one key ring.
/// </summary>
public abstract class EncryptionAtRestTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TotpSecretAndRecoveryCodes_AreStoredEncrypted_AndStillWork()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);

        var stored = await TokensOfAsync(user.Email);

        Assert.Single(await TokensOfAsync(user.Email, "AuthenticatorKey"));
        Assert.Single(await TokensOfAsync(user.Email, "RecoveryCodes"));
        foreach (var value in stored)
        {
            Assert.StartsWith(FieldCipher.Prefix, value, StringComparison.Ordinal);
            Assert.DoesNotContain(user.TotpSecret, value, StringComparison.OrdinalIgnoreCase);
            Assert.All(user.RecoveryCodes, code => Assert.DoesNotContain(code, value, StringComparison.OrdinalIgnoreCase));
        }

        host.Services.GetRequiredService<DataKeyRing>().Forget(); // decrypt through the KEK, not the cache
        using var again = host.CreateBrowser();
        await Journeys.SignInAsync(again, user);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/")).StatusCode);
        Assert.Contains($"/o/{user.OrganizationSlug}", again.LastPage!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfidentialDescription_IsCiphertextInTheDatabase_AndPlaintextThroughEf()
    {
        var org = await EncryptedOrganizations.CreateAsync(host, "Pläne für die Übernahme");

        var stored = await EncryptedOrganizations.StoredDescriptionAsync(host, org);
        Assert.StartsWith(FieldCipher.Prefix, stored, StringComparison.Ordinal);
        Assert.DoesNotContain("Übernahme", stored, StringComparison.Ordinal);

        host.Services.GetRequiredService<DataKeyRing>().Forget();
        Assert.Equal("Pläne für die Übernahme", await EncryptedOrganizations.ReadDescriptionAsync(host, org.Id));
        var (scope, db) = host.OpenDb(org.Id);
        await using (scope)
        {
            var key = Assert.Single(await db.DataKeys.Where(k => k.OrganizationId == org.Id).ToListAsync(Ct));
            Assert.Equal(60, key.WrappedKey.Length);
        }
    }

    [Fact]
    public async Task ReadingAnEncryptedRow_DoesNotMarkItModified()
    {
        var org = await EncryptedOrganizations.CreateAsync(host, "unchanged");
        var (scope, db) = host.OpenDb(org.Id);
        await using (scope)
        {
            var loaded = await db.Organizations.SingleAsync(o => o.Id == org.Id, Ct);
            Assert.Equal("unchanged", loaded.ConfidentialDescription);
            Assert.Equal(EntityState.Unchanged, db.Entry(loaded).State);
            Assert.Equal(0, await db.SaveChangesAsync(Ct));
        }
    }

    [Fact]
    public async Task CiphertextMovedToAnotherUsersRow_IsRefused()
    {
        using var alice = host.CreateBrowser();
        var a = await Journeys.SignUpAndEnrolAsync(alice);
        using var bob = host.CreateBrowser();
        var b = await Journeys.SignUpAndEnrolAsync(bob);

        // Same platform data key, different row: only the associated data (table, column, row id) tells them apart.
        var aliceKey = Assert.Single(await TokensOfAsync(a.Email, "AuthenticatorKey"))!;
        await RawDatabase.ExecuteAsync(host,
            """UPDATE "AspNetUserTokens" SET "Value" = @value WHERE "Name" = 'AuthenticatorKey' AND "UserId" = (SELECT "Id" FROM "AspNetUsers" WHERE "Email" = @email)""",
            ("value", aliceKey), ("email", b.Email));

        var error = await EncryptionAssert.RefusedAsync<DecryptionFailedException>(() => ReadTokensAsync(b.Email));
        Assert.Contains("AspNetUserTokens.Value", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(a.TotpSecret, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task CiphertextCopiedToAnotherOrganization_IsRefused()
    {
        var first = await EncryptedOrganizations.CreateAsync(host, "first secret");
        var second = await EncryptedOrganizations.CreateAsync(host, "second secret");
        var firstCiphertext = await EncryptedOrganizations.StoredDescriptionAsync(host, first);
        await EncryptedOrganizations.SetStoredDescriptionAsync(host, second, firstCiphertext);

        host.Services.GetRequiredService<DataKeyRing>().Forget();
        var error = await EncryptionAssert.RefusedAsync<KeyUnavailableException>(() => EncryptedOrganizations.ReadDescriptionAsync(host, second.Id));
        Assert.DoesNotContain("first secret", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("altered")]
    [InlineData("plaintext")]
    [InlineData("not-base64")]
    public async Task DamagedCiphertext_IsRefused_WithoutPlaintext(string damage)
    {
        var org = await EncryptedOrganizations.CreateAsync(host, "the crown jewels");
        var stored = await EncryptedOrganizations.StoredDescriptionAsync(host, org);
        var bytes = Convert.FromBase64String(stored[FieldCipher.Prefix.Length..]);
        var damaged = damage switch
        {
            "truncated" => FieldCipher.Prefix + Convert.ToBase64String(bytes[..^4]),
            "altered" => FieldCipher.Prefix + Convert.ToBase64String([.. bytes[..30], (byte)(bytes[30] ^ 0x80), .. bytes[31..]]),
            "plaintext" => "the crown jewels",
            _ => FieldCipher.Prefix + "%%%",
        };
        await EncryptedOrganizations.SetStoredDescriptionAsync(host, org, damaged);

        var error = await EncryptionAssert.RefusedAsync<DecryptionFailedException>(() => EncryptedOrganizations.ReadDescriptionAsync(host, org.Id));
        Assert.DoesNotContain("crown", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailingEncryption_WritesNothing_AndKeepsPlaintextInMemory()
    {
        var org = await EncryptedOrganizations.CreateAsync(host, "before");
        // A wrapped data key that no longer authenticates: encrypting the next value must fail.
        var intact = await ReplaceWrappedKeyAsync(org.Id, k => [.. k[..^1], (byte)(k[^1] ^ 1)]);

        host.Services.GetRequiredService<DataKeyRing>().Forget();
        var storedBefore = await EncryptedOrganizations.StoredDescriptionAsync(host, org);
        var (scope, db) = host.OpenDb(org.Id);
        await using (scope)
        {
            var tracked = new Organization { Id = org.Id, Slug = org.Slug, Name = "Renamed", CreatedAt = DateTimeOffset.UnixEpoch };
            db.Attach(tracked);
            tracked.Name = "Renamed";
            tracked.ConfidentialDescription = "after";
            db.Entry(tracked).Property(o => o.Name).IsModified = true;
            db.Entry(tracked).Property(o => o.ConfidentialDescription).IsModified = true;

            await EncryptionAssert.RefusedAsync<DecryptionFailedException>(() => db.SaveChangesAsync(Ct));
            Assert.Equal("after", tracked.ConfidentialDescription);
        }

        Assert.Equal(storedBefore, await EncryptedOrganizations.StoredDescriptionAsync(host, org));
        Assert.NotEqual("Renamed", Assert.Single(await RawDatabase.ColumnAsync(host, """SELECT "Name" FROM "Organizations" WHERE "Slug" = @slug""", ("slug", org.Slug))));
        await ReplaceWrappedKeyAsync(org.Id, _ => intact); // later tests in this class rotate every key
    }

    [Fact]
    public async Task DataProtectionKeyRing_IsInTheDatabase_EncryptedWithTheKek()
    {
        using var browser = host.CreateBrowser();
        await browser.GetAsync("/account/sign-in"); // antiforgery needs a data-protection key

        var keys = await RawDatabase.ColumnAsync(host, """SELECT "Xml" FROM "DataProtectionKeys" """);

        Assert.NotEmpty(keys);
        Assert.All(keys, xml =>
        {
            Assert.Contains("<kastellEncrypted format=\"kdp1\"", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("masterKey", xml, StringComparison.Ordinal);
        });
        var keyDirectory = Path.Combine(host.DataDirectory, "keys");
        Assert.Empty(Directory.Exists(keyDirectory) ? Directory.GetFiles(keyDirectory, "*.xml") : []);
    }

    [Fact]
    public async Task TwoInstances_OnOneDatabase_AcceptEachOthersCookies()
    {
        await using var second = new SecondInstance(host);
        var cookies = new System.Net.CookieContainer();
        using var onFirst = BrowserOn(host, cookies);
        using var onSecond = BrowserOn(second, cookies);

        var user = await Journeys.SignUpAndEnrolAsync(onFirst);

        Assert.Equal(HttpStatusCode.OK, (await onSecond.GetAsync("/")).StatusCode);
        Assert.Contains($"/o/{user.OrganizationSlug}", onSecond.LastPage!, StringComparison.Ordinal);
        // A form on the second instance, with the antiforgery cookie the first one set.
        var created = await TenancyTests.CreateSpaceAsync(onSecond, user.OrganizationSlug, "Shared");
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await onFirst.GetAsync($"/o/{user.OrganizationSlug}")).StatusCode);
        Assert.Contains("Shared", onFirst.LastPage!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KekRotation_RewrapsEveryKey_AndTheOldKekIsNoLongerNeeded()
    {
        var cookies = new System.Net.CookieContainer();
        using var browser = BrowserOn(host, cookies);
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        var org = await EncryptedOrganizations.CreateAsync(host, "survives rotation");
        var kek = host.Services.GetRequiredService<IKeyEncryptionKeyProvider>();
        var old = kek.CurrentVersion();
        using var output = new StringWriter();

        Assert.Equal(0, await KastellCli.RunAsync(host.Services, ["rotate-keys", "--kek"], output, TestContext.Current.CancellationToken));

        Assert.Contains($"to {old + 1}", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(old + 1, kek.CurrentVersion());
        var (scope, db) = host.OpenDb(org.Id);
        await using (scope)
        {
            Assert.All(await db.DataKeys.ToListAsync(Ct), k => Assert.Equal(old + 1, k.KekVersion)); // platform + this organization
        }

        Assert.All(await RawDatabase.ColumnAsync(host, """SELECT "Xml" FROM "DataProtectionKeys" """),
            xml => Assert.Contains($"kekVersion=\"{old + 1}\"", xml, StringComparison.Ordinal));

        kek.Destroy(old);
        host.Services.GetRequiredService<DataKeyRing>().Forget();

        Assert.Equal("survives rotation", await EncryptedOrganizations.ReadDescriptionAsync(host, org.Id));
        var tokens = await ReadTokensAsync(user.Email);
        Assert.Equal((await TokensOfAsync(user.Email)).Count, tokens.Count);
        Assert.All(tokens, t => Assert.False(FieldCipher.LooksEncrypted(t!), "a token was not decrypted"));
        await using var second = new SecondInstance(host); // a fresh key ring, loaded with only the new KEK
        using var onSecond = BrowserOn(second, cookies);
        Assert.Equal(HttpStatusCode.OK, (await onSecond.GetAsync("/")).StatusCode);
        Assert.Contains($"/o/{user.OrganizationSlug}", onSecond.LastPage!, StringComparison.Ordinal);
    }

    private async Task<byte[]> ReplaceWrappedKeyAsync(Guid organizationId, Func<byte[], byte[]> replace)
    {
        var (scope, db) = host.OpenDb(organizationId);
        await using (scope)
        {
            var key = await db.DataKeys.SingleAsync(k => k.OrganizationId == organizationId, Ct);
            var before = key.WrappedKey;
            key.WrappedKey = replace(before);
            await db.SaveChangesAsync(Ct);
            return before;
        }
    }

    private static TestBrowser BrowserOn(KastellHost instance, System.Net.CookieContainer cookies) =>
        new(instance.CreateDefaultClient(new Uri("https://localhost"), new CookieContainerHandler(cookies)));

    private async Task<List<string?>> ReadTokensAsync(string email)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            var userId = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(Ct);
            return [.. (await db.UserTokens.Where(t => t.UserId == userId).ToListAsync(Ct)).Select(t => t.Value)];
        }
    }

    private Task<List<string?>> TokensOfAsync(string email, string? name = null) =>
        RawDatabase.ColumnAsync(host,
            """SELECT t."Value" FROM "AspNetUserTokens" t JOIN "AspNetUsers" u ON u."Id" = t."UserId" WHERE u."Email" = @email AND (@name = '' OR t."Name" = @name)""",
            ("email", email), ("name", name ?? ""));
}

public sealed class EncryptionAtRestTestsOnSqliteWithKeyFile(SqliteHost host) : EncryptionAtRestTests(host), IClassFixture<SqliteHost>;

public sealed class EncryptionAtRestTestsOnPostgresWithKeyFile(PostgresHost host) : EncryptionAtRestTests(host), IClassFixture<PostgresHost>;

public sealed class EncryptionAtRestTestsOnSqliteWithSoftHsm(SqliteHsmHost host) : EncryptionAtRestTests(host), IClassFixture<SqliteHsmHost>;

public sealed class EncryptionAtRestTestsOnPostgresWithSoftHsm(PostgresHsmHost host) : EncryptionAtRestTests(host), IClassFixture<PostgresHsmHost>;
