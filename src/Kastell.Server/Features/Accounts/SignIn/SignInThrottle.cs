using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.Accounts.SignIn;

/// <summary>Which budget an attempt draws on: the account's (everyone else) or the account's on one of its known devices.</summary>
internal sealed record SignInBucket(string Key, Guid UserId, string Kind);

/// <param name="Granted">Whether the secret may be checked; refused, it must not be (but the same work is done).</param>
/// <param name="ThrottlingStarted">This refusal began a run of them: audit it once.</param>
internal sealed record SignInPermit(bool Granted, SignInBucket Bucket, bool ThrottlingStarted);

/// <summary>
/// Bounds online guessing without a lockout that others could trigger. Every password or second-factor check draws on
/// a budget (<c>Kastell:SignIn</c>: 100 guesses an hour, 10 at once, by default); beyond it an attempt is refused
/// without looking at the secret, answered like a wrong one, and the budget refills by itself — nothing to unlock.
/// Correct answers give their guess back, so only wrong ones use it up.
/// </summary>
/// <remarks>
/// <para>
/// The account's owner is not at the mercy of others' failures: a browser that signed in with both factors before is
/// a known device (<see cref="KnownDevices"/>) with a budget of its own, so however many wrong passwords arrive from
/// however many addresses, the owner at their own browser signs in at once. Everyone else shares the account's
/// budget, so the cap holds whatever the number of sources. A new browser of the owner's competes with an attacker
/// for that budget; the password reset link is the way in from there.
/// </para>
/// <para>
/// The state is a row per budget in the database (<see cref="SignInThrottleBucket"/>), so every server replica shares
/// it and a restart forgets nothing; updates are compare-and-swap, so concurrent attempts cannot overdraw it.
/// </para>
/// </remarks>
internal sealed class SignInThrottle(KastellDbContext db, KnownDevices devices, IOptions<SignInThrottleOptions> options, TimeProvider time)
{
    private const int MaximumRounds = 16;

    private DbSet<SignInThrottleBucket> Buckets => db.Set<SignInThrottleBucket>();

    public SignInBucket BucketFor(KastellUser user) =>
        devices.DeviceOf(user) is { } device
            ? new SignInBucket("device:" + device, user.Id, "known-device")
            : new SignInBucket("account:" + user.Id.ToString("N"), user.Id, "account");

    /// <summary>Takes one guess from <paramref name="user"/>'s budget for this browser, if one is left.</summary>
    public async Task<SignInPermit> TryTakeAsync(KastellUser user, CancellationToken cancellationToken = default)
    {
        var bucket = BucketFor(user);
        var interval = options.Value.Interval;
        var tolerance = interval * options.Value.GuessBurst;
        for (var round = 0; round < MaximumRounds; round++)
        {
            var now = time.GetUtcNow();
            var row = await ReadOrCreateAsync(bucket, now, cancellationToken);
            var next = (row.NextFreeAt > now ? row.NextFreeAt : now) + interval;
            if (next - now > tolerance)
            {
                var started = row.ThrottledSince is null && await Buckets
                    .Where(b => b.Key == bucket.Key && b.ThrottledSince == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(b => b.ThrottledSince, now), cancellationToken) == 1;
                return new SignInPermit(false, bucket, started);
            }

            // A full budget ends a run of refusals: the next one is audited again.
            var since = row.NextFreeAt <= now ? null : row.ThrottledSince;
            var taken = await Buckets
                .Where(b => b.Key == bucket.Key && b.NextFreeAt == row.NextFreeAt)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.NextFreeAt, next).SetProperty(b => b.ThrottledSince, since), cancellationToken);
            if (taken == 1)
            {
                return new SignInPermit(true, bucket, false);
            }
        }

        // Only a flood of concurrent attempts on one account gets here: refusing is the safe side.
        return new SignInPermit(false, bucket, false);
    }

    /// <summary>Gives the guess back after a correct answer: only wrong answers use the budget up.</summary>
    public async Task RefundAsync(SignInPermit permit, CancellationToken cancellationToken = default)
    {
        if (!permit.Granted)
        {
            return;
        }

        var interval = options.Value.Interval;
        for (var round = 0; round < MaximumRounds; round++)
        {
            var row = await Buckets.AsNoTracking().SingleOrDefaultAsync(b => b.Key == permit.Bucket.Key, cancellationToken);
            if (row is null)
            {
                return;
            }

            var back = row.NextFreeAt - interval;
            if (await Buckets.Where(b => b.Key == row.Key && b.NextFreeAt == row.NextFreeAt)
                    .ExecuteUpdateAsync(s => s.SetProperty(b => b.NextFreeAt, back), cancellationToken) == 1)
            {
                return;
            }
        }
    }

    private async Task<SignInThrottleBucket> ReadOrCreateAsync(SignInBucket bucket, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await Buckets.AsNoTracking().SingleOrDefaultAsync(b => b.Key == bucket.Key, cancellationToken) is { } existing)
        {
            return existing;
        }

        var created = new SignInThrottleBucket { Key = bucket.Key, UserId = bucket.UserId, NextFreeAt = now };
        Buckets.Add(created);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another attempt created it first (EF rolled back to its savepoint if a transaction was open); use theirs.
        }
        finally
        {
            db.Entry(created).State = EntityState.Detached;
        }

        return await Buckets.AsNoTracking().SingleAsync(b => b.Key == bucket.Key, cancellationToken);
    }
}

/// <summary>
/// One password hash per password check, whatever the outcome: an unknown address and a refused (throttled) attempt
/// verify against this hash of a random password, so neither answers faster than a wrong password does.
/// </summary>
internal sealed class DummyPasswordHash
{
    private string? _hash;

    public void Verify(Microsoft.AspNetCore.Identity.IPasswordHasher<KastellUser> hasher, string password)
    {
        var dummy = new KastellUser();
        _hash ??= hasher.HashPassword(dummy, Guid.NewGuid().ToString());
        hasher.VerifyHashedPassword(dummy, _hash, password);
    }
}
