using System.Diagnostics;
using System.Globalization;
using Kastell.Server.Features.Organizations;
using Kastell.Server.Platform.Audit;

namespace Kastell.Audit.Benchmarks;

/// <summary>
/// Verification of one chain of N events compared with <c>sha256sum</c> over the same canonical bytes, measured in
/// the same run: the bytes of every event (as <see cref="AuditHashing.WriteCanonical"/> hashes them) go to one file,
/// <c>sha256sum</c> reads it from the page cache, and <see cref="AuditChainVerifier"/> checks the chain held in memory
/// (wall time is the goal's measure; its processor time over all cores is reported beside it).
/// </summary>
internal static class VerifyBenchmark
{
    /// <param name="VerifyCpu">Processor time (all threads) of the fastest verification: the verifier hashes on every core, sha256sum on one.</param>
    public sealed record Result(int Events, long Bytes, TimeSpan Sha256Sum, TimeSpan Verify, TimeSpan VerifyCpu, int Problems);

    public static async Task<Result> RunAsync(int events, string directory, AuditSigningKey key, int repetitions)
    {
        var chain = Guid.NewGuid();
        var (list, checkpoints) = BuildChain(chain, events, key);
        var file = Path.Combine(directory, "canonical.bin");
        long bytes;
        await using (var output = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            foreach (var e in list)
            {
                AuditHashing.WriteCanonical(output, e, e.Sequence);
            }

            bytes = output.Length;
        }

        var sha = TimeSpan.MaxValue;
        var verify = TimeSpan.MaxValue;
        var verifyCpu = TimeSpan.Zero;
        var problems = 0;
        await Sha256SumAsync(file); // brings the file into the page cache
        for (var r = 0; r < repetitions; r++)
        {
            var watch = Stopwatch.StartNew();
            await Sha256SumAsync(file);
            sha = Min(sha, watch.Elapsed);

            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            watch.Restart();
            problems = AuditChainVerifier.Verify(chain, list, checkpoints, key).Count;
            if (watch.Elapsed < verify)
            {
                verify = watch.Elapsed;
                verifyCpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            }
        }

        File.Delete(file);
        return new Result(events, bytes, sha, verify, verifyCpu, problems);
    }

    /// <summary>A valid chain like the append benchmark writes, with a checkpoint every 100 events.</summary>
    private static (List<AuditEvent> Events, List<AuditCheckpoint> Checkpoints) BuildChain(Guid chain, int count, AuditSigningKey key)
    {
        var events = new List<AuditEvent>(count);
        var checkpoints = new List<AuditCheckpoint>();
        var previous = AuditHashing.Genesis;
        var start = AuditHashing.ToStoredPrecision(DateTimeOffset.UtcNow.AddDays(-1));
        for (var i = 1; i <= count; i++)
        {
            var e = new AuditEvent
            {
                Id = Guid.CreateVersion7(),
                HashVersion = AuditHashing.CurrentVersion,
                OrganizationId = chain,
                Sequence = i,
                OccurredAt = start.AddMilliseconds(i),
                Type = OrganizationEvents.SpaceCreated,
                Outcome = AuditOutcome.Succeeded,
                ActorKind = AuditActorKind.User,
                ActorId = Guid.NewGuid().ToString(),
                SpaceId = Guid.NewGuid(),
                TargetType = "space",
                TargetId = Guid.NewGuid().ToString(),
                ClientIp = "192.0.2." + (i % 250).ToString(CultureInfo.InvariantCulture),
                UserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
                CorrelationId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()),
                Details = "{\"name\":\"Space " + i.ToString(CultureInfo.InvariantCulture) + "\"}",
                PreviousHash = previous,
            };
            e.Hash = previous = AuditHashing.Compute(e);
            events.Add(e);
            if (i % 100 == 0)
            {
                checkpoints.Add(AuditCheckpoints.Create(key, TimeProvider.System, chain, i, e.Hash));
            }
        }

        return (events, checkpoints);
    }

    private static async Task Sha256SumAsync(string file)
    {
        using var process = Process.Start(new ProcessStartInfo("sha256sum", [file]) { RedirectStandardOutput = true, UseShellExecute = false })
            ?? throw new InvalidOperationException("sha256sum did not start.");
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("sha256sum failed.");
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
