using System.Globalization;
using Kastell.Server.Features.Files;
using Kastell.Server.Features.Organizations;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Encryption;
using Kastell.Server.Platform.Hosting;
using Kastell.Server.Platform.Storage;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Web.Benchmarks;

/// <summary>
/// Appends a long audit chain to the benchmark's organization with Kastell's own <see cref="AuditBulkAppender"/>:
/// the same chain lock, numbering, hashes and signed checkpoints as the server (whose data directory holds the
/// signing key), so the audit page verifies it like any other chain. The server may keep running meanwhile.
/// </summary>
internal static class AuditChainSeeder
{
    private const int Batch = 5_000;

    public static Task<ServiceProvider> CreateServicesAsync(SeedSettings settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kastell:DataDirectory"] = settings.DataDirectory,
            ["Kastell:Database:Provider"] = settings.Provider,
            ["Kastell:Database:ConnectionString"] = settings.ConnectionString,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddKastellOptions<DataDirectoryOptions, DataDirectoryOptionsValidator>(configuration, DataDirectoryOptions.Section);
        services.AddScoped<Tenant>();
        services.AddScoped<Kastell.Server.Platform.Identity.CurrentActor>();
        services.AddSingleton<TenantScopes>();
        // The server's Identity schema version shapes the model, as in the server.
        services.Configure<IdentityOptions>(o => o.Stores.SchemaVersion = IdentitySchemaVersions.Version3);
        services.AddKastellDatabase(configuration);
        services.AddKastellEncryption(configuration);
        services.AddAudit(configuration);
        return Task.FromResult(services.BuildServiceProvider());
    }

    public static async Task AppendAsync(IServiceProvider services, Guid organization, int events)
    {
        Guid member;
        await using (var scope = services.GetRequiredService<TenantScopes>().Enter(organization, AuditActor.System("bench-seed")))
        {
            member = await scope.Db.OrganizationMembers.Select(m => m.UserId).FirstAsync();
        }

        for (var done = 0; done < events; done += Batch)
        {
            await using var scope = services.GetRequiredService<TenantScopes>().Enter(organization, AuditActor.System("bench-seed"));
            var entries = Enumerable.Range(done, Math.Min(Batch, events - done)).Select(i => Entry(i, member)).ToList();
            await scope.Get<AuditBulkAppender>().AppendAsync(entries);
        }
    }

    /// <summary>A mix of what an organization's chain holds: downloads, uploads, Spaces created, denials.</summary>
    private static AuditEntry Entry(int i, Guid member) => (i % 4) switch
    {
        0 => new(FileEvents.FileDownloaded, AuditActor.User(member), new("file", Guid.NewGuid().ToString()),
            Details: new Dictionary<string, string> { ["name"] = "evidence-" + i.ToString(CultureInfo.InvariantCulture) + ".pdf" }),
        1 => new(UploadEvents.FileUploaded, AuditActor.User(member), new("file", Guid.NewGuid().ToString()),
            Details: new Dictionary<string, string> { ["size"] = (1024 + i).ToString(CultureInfo.InvariantCulture) }),
        2 => new(OrganizationEvents.SpaceCreated, AuditActor.User(member), AuditTarget.Space(Guid.NewGuid()),
            Details: new Dictionary<string, string> { ["name"] = "Space " + i.ToString(CultureInfo.InvariantCulture) }),
        _ => new(AuthorizationEvents.AuthorizationDenied, AuditActor.User(Guid.NewGuid()), new("space", Guid.NewGuid().ToString()), AuditOutcome.Denied,
            new Dictionary<string, string> { ["permission"] = "can_read", ["reason"] = "relation" }),
    };
}
