using Kastell.Server.Features.Controls;
using Kastell.Server.Features.Controls.Adoption;
using Kastell.Server.Features.Controls.ManageControls;
using Kastell.Server.Features.Frameworks;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.Frameworks;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.Controls;

/// <summary>
/// Frameworks, adoptions and controls made for tests through the real import and the feature's own commands, run as a
/// person of the organization in a Space, as a request would.
/// </summary>
internal static class ControlsData
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A small OSCAL catalog with this title (the library tells frameworks apart by title).</summary>
    public static string Catalog(string title, string version, params (string Id, string Title)[] controls) =>
        FrameworkImportTests.Catalog(version, controls).Replace("\"Hauskatalog\"", System.Text.Json.JsonSerializer.Serialize(title), StringComparison.Ordinal);

    /// <summary>Imports the catalog into the organization with the CLI (as an operator would); returns the framework's id.</summary>
    public static async Task<Guid> ImportAsync(KastellHost host, string organizationSlug, string title, string version, params (string Id, string Title)[] controls)
    {
        var file = await FrameworkImportTests.WriteAsync(Catalog(title, version, controls));
        using var output = new StringWriter();
        Assert.True(await KastellCli.RunAsync(host.Services, ["oscal", "import", file, "--organization", organizationSlug], output, Ct) == 0, output.ToString());
        var (scope, db) = host.OpenDb(await Tenants.OrganizationIdAsync(host, organizationSlug));
        await using (scope)
        {
            return await db.Set<Framework>().Where(f => f.Title == title).Select(f => f.Id).SingleAsync(Ct);
        }
    }

    /// <summary>Runs a command of the feature as <paramref name="actor"/> in the organization's Space.</summary>
    public static async Task<T> AsAsync<TCommand, T>(KastellHost host, Guid organizationId, Guid spaceId, Guid actor, Func<TCommand, Task<T>> run)
        where TCommand : notnull
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KastellDbContext>();
        var tenant = scope.ServiceProvider.GetRequiredService<Tenant>();
        tenant.Enter(organizationId);
        var organization = await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == organizationId, Ct);
        var space = await db.Spaces.AsNoTracking().SingleAsync(s => s.Id == spaceId, Ct);
        tenant.Resolve(organization, space);
        scope.ServiceProvider.GetRequiredService<CurrentActor>().ActAs(AuditActor.User(actor));
        return await run(scope.ServiceProvider.GetRequiredService<TCommand>());
    }

    public static async Task AdoptAsync(KastellHost host, Guid organizationId, Guid spaceId, Guid actor, Guid frameworkId)
    {
        var result = await AsAsync<AdoptFrameworkCommand, Result<FrameworkAdoption>>(host, organizationId, spaceId, actor, c => c.ExecuteAsync(frameworkId, Ct));
        Assert.True(result.Succeeded, result.Failure?.Code);
    }

    public static async Task<Guid> CreateControlAsync(KastellHost host, Guid organizationId, Guid spaceId, Guid actor, string title)
    {
        var result = await AsAsync<CreateControlCommand, Result<Control>>(host, organizationId, spaceId, actor, c => c.ExecuteAsync(title, "", Ct));
        Assert.True(result.Succeeded, result.Failure?.Code);
        return result.Value!.Id;
    }
}
