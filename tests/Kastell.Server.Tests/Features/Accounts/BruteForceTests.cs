using System.Buffers.Binary;
using System.Net;
using Kastell.Server.Features.Accounts.Passwords;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Tests.Features.Accounts;

/// <summary>A host whose per-IP limit on secret-checking requests is tiny, so the limit can be reached in a test.</summary>
public sealed class TightRateLimitHost(SmtpSink mail) : SqliteHost(mail)
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Kastell:RateLimits:AuthenticationPerMinute", "3")];
}

public sealed class RateLimitTests(TightRateLimitHost host) : IClassFixture<TightRateLimitHost>
{
    [Fact]
    public async Task SignInAttempts_BeyondTheLimit_AreRefusedWith429_AndOtherPagesStillAnswer()
    {
        using var browser = host.CreateBrowser();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await Journeys.PasswordStepAsync(browser, Journeys.UniqueEmail("spray"), "wrong password number " + i)).StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/sign-in")).StatusCode);
    }
}

public sealed class PasswordRehashTests(SqliteHost host) : IClassFixture<SqliteHost>
{
    [Fact]
    public async Task HashWithOldWorkFactor_IsUpgradedAtTheNextSignIn()
    {
        using var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        var weak = new PasswordHasher<KastellUser>(Options.Create(new PasswordHasherOptions { IterationCount = 100_000 }));
        string before;
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            var stored = await db.Users.SingleAsync(u => u.Email == user.Email, TestContext.Current.CancellationToken);
            stored.PasswordHash = before = weak.HashPassword(stored, user.Password);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal(100_000, Iterations(before));
        using var again = host.CreateBrowser();
        var signIn = await Journeys.PasswordStepAsync(again, user.Email, user.Password);
        Assert.StartsWith("/account/sign-in/mfa", TestBrowser.LocationOf(signIn), StringComparison.Ordinal);

        var (after, afterDb) = host.OpenDb();
        await using (after)
        {
            var hash = await afterDb.Users.Where(u => u.Email == user.Email).Select(u => u.PasswordHash).SingleAsync(TestContext.Current.CancellationToken);
            Assert.NotEqual(before, hash);
            Assert.Equal(PasswordHashingOptions.MinimumPbkdf2Iterations, Iterations(hash!));
        }
    }

    /// <summary>Identity v3 format: 0x01, PRF (uint32 BE), iteration count (uint32 BE), salt length, salt, subkey.</summary>
    private static int Iterations(string hash)
    {
        var bytes = Convert.FromBase64String(hash);
        Assert.Equal(0x01, bytes[0]);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(1))); // HMAC-SHA512
        return (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(5));
    }
}
