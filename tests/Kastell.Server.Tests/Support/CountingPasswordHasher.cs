using System.Collections.Concurrent;
using Kastell.Server.Platform.Identity;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Tests.Support;

/// <summary>
/// Counts the password hashes a host computes — the work of a sign-in attempt, measured without a stopwatch — and
/// against which stored hash each verification ran (so a test can count guesses at one account's real password).
/// </summary>
public sealed class PasswordHashCounter
{
    private readonly ConcurrentDictionary<string, int> _byHash = new(StringComparer.Ordinal);
    private int _verifications;
    private int _hashes;

    /// <summary>Every hash computation: a verification, or a new hash.</summary>
    public int Total => Volatile.Read(ref _verifications) + Volatile.Read(ref _hashes);

    public int Verifications => Volatile.Read(ref _verifications);

    /// <summary>Verifications against <paramref name="storedHash"/>: guesses at that password that were really checked.</summary>
    public int VerificationsAgainst(string storedHash) => _byHash.GetValueOrDefault(storedHash);

    /// <summary>Replaces the host's password hasher with a counting one; <paramref name="iterations"/> lowers the work factor for tests that hash a thousand times.</summary>
    public void Install(IWebHostBuilder builder, int? iterations = null) =>
        builder.ConfigureTestServices(services =>
        {
            if (iterations is { } count)
            {
                services.PostConfigure<PasswordHasherOptions>(o => o.IterationCount = count);
            }

            services.AddScoped<IPasswordHasher<KastellUser>>(sp =>
                new Counting(this, new PasswordHasher<KastellUser>(sp.GetRequiredService<IOptions<PasswordHasherOptions>>())));
        });

    private sealed class Counting(PasswordHashCounter counter, IPasswordHasher<KastellUser> inner) : IPasswordHasher<KastellUser>
    {
        public string HashPassword(KastellUser user, string password)
        {
            Interlocked.Increment(ref counter._hashes);
            return inner.HashPassword(user, password);
        }

        public PasswordVerificationResult VerifyHashedPassword(KastellUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref counter._verifications);
            counter._byHash.AddOrUpdate(hashedPassword, 1, (_, n) => n + 1);
            return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
