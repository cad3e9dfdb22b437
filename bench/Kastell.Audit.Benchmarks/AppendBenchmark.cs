using System.Diagnostics;
using System.Globalization;
using Kastell.Server.Features.Organizations;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Audit.Benchmarks;

/// <summary>
/// Appends events as a request or job would (a scope entered into the organization), either through
/// <see cref="IAuditLog"/> (a batch per <c>SaveChangesAsync</c>) or through <see cref="AuditBulkAppender"/> (a batch
/// per transaction): sequence numbers, hashes, checkpoints and the chain lock are all real.
/// </summary>
internal static class AppendBenchmark
{
    public static async Task<double> RunAsync(IServiceProvider services, Guid organization, int events, int batchSize, bool bulk)
    {
        Func<IServiceProvider, Guid, int, int, Task> append = bulk ? AppendBulkAsync : AppendAsync;
        await append(services, organization, batchSize, batchSize); // warm-up: JIT, connection pool, first checkpoint
        var watch = Stopwatch.StartNew();
        await append(services, organization, events, batchSize);
        watch.Stop();
        return events / watch.Elapsed.TotalSeconds;
    }

    private static async Task AppendAsync(IServiceProvider services, Guid organization, int events, int batchSize)
    {
        for (var done = 0; done < events; done += batchSize)
        {
            await using var scope = services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<Tenant>().Enter(organization);
            var audit = scope.ServiceProvider.GetRequiredService<IAuditLog>();
            for (var i = 0; i < Math.Min(batchSize, events - done); i++)
            {
                audit.Record(SampleEntry(done + i));
            }

            await audit.FlushAsync();
        }
    }

    private static async Task AppendBulkAsync(IServiceProvider services, Guid organization, int events, int batchSize)
    {
        for (var done = 0; done < events; done += batchSize)
        {
            await using var scope = services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<Tenant>().Enter(organization);
            var entries = Enumerable.Range(done, Math.Min(batchSize, events - done)).Select(SampleEntry).ToList();
            await scope.ServiceProvider.GetRequiredService<AuditBulkAppender>().AppendAsync(entries);
        }
    }

    /// <summary>A typical event: a user acting on a space, with one small detail.</summary>
    public static AuditEntry SampleEntry(int i) => new(
        OrganizationEvents.SpaceCreated,
        AuditActor.User(Guid.NewGuid()),
        AuditTarget.Space(Guid.NewGuid()),
        Details: new Dictionary<string, string> { ["name"] = "Space " + i.ToString(CultureInfo.InvariantCulture) });
}
