using Kastell.Server.Features.Frameworks;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Tests.Platform.Authorization.AttackMatrix;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.Frameworks;

/// <summary>For the attack matrix: a framework imported into the victim's library, its title readable only by its members.</summary>
internal sealed class FrameworkRouteValueFiller : RouteValueFiller
{
    public override IReadOnlyList<string> Keys => ["framework", "frameworks/id", "frameworkId"];

    public override async Task<string> CreateAsync(VictimTenant victim)
    {
        var title = "Victim control " + victim.Suffix;
        var catalog = await FrameworkImportTests.WriteAsync(FrameworkImportTests.Catalog("1", ("v-1", title)));
        var code = await KastellCli.RunAsync(victim.Host.Services, ["oscal", "import", catalog, "--organization", victim.OrganizationSlug], TextWriter.Null, TestContext.Current.CancellationToken);
        if (code != 0)
        {
            throw new InvalidOperationException($"The victim's framework was not imported (exit code {code}).");
        }

        var (scope, db) = victim.Host.OpenDb(victim.OrganizationId);
        await using (scope)
        {
            var id = await db.Set<Framework>().Select(f => f.Id).SingleAsync(TestContext.Current.CancellationToken);
            victim.AddMarker(title, "framework", id);
            return id.ToString();
        }
    }
}
