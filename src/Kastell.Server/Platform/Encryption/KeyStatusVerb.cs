using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Hosting.Cli;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Encryption;

/// <summary><c>key-status</c>: every organization's data-key rotations that are running or failed, and the latest completed one.</summary>
internal sealed class KeyStatusVerb : CliVerb
{
    public override string Name => "key-status";

    public override string Description => "Progress of data-key rotations.";

    public override async Task<int> RunAsync(CliInvocation invocation)
    {
        var (services, output, ct) = (invocation.Services, invocation.Output, invocation.CancellationToken);
        List<(Guid Id, string Slug)> organizations;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<KastellDbContext>();
            organizations = [.. (await db.Organizations.AsNoTracking().OrderBy(o => o.Slug).Select(o => new { o.Id, o.Slug }).ToListAsync(ct)).Select(o => (o.Id, o.Slug))];
        }

        var rotation = services.GetRequiredService<DataKeyRotation>();
        var shown = 0;
        foreach (var (id, slug) in organizations)
        {
            var jobs = await rotation.JobsAsync(id, ct);
            foreach (var job in jobs.Where(j => j.CompletedAt is null).Concat(jobs.Where(j => j.CompletedAt is not null).Take(1)))
            {
                await output.WriteLineAsync($"{slug}: rotation {job.Id} requested {job.RequestedAt:u}, {job}");
                shown++;
            }
        }

        await output.WriteLineAsync($"{shown} data-key rotation(s).");
        return 0;
    }
}
