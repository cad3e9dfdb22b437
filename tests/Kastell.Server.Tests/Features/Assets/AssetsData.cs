using Kastell.Server.Features.Assets;
using Kastell.Server.Features.Assets.ManageAssets;
using Kastell.Server.Platform.Http;
using Kastell.Server.Tests.Features.Controls;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.Assets;

/// <summary>Assets and dependencies made for tests through the feature's own commands, run as a person of the organization in a Space.</summary>
internal static class AssetsData
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An asset with a confidentiality need (justified when above normal) and optionally an owner (<c>user:…</c>/<c>team:…</c>).</summary>
    public static async Task<Guid> CreateAsync(KastellHost host, Guid organizationId, Guid spaceId, Guid actor, string name, AssetKind kind = AssetKind.Application,
        string confidentiality = "Normal", string? owner = null)
    {
        var input = new AssetInput(name, kind.ToString(), "", owner, new NeedInput(confidentiality, confidentiality == "Normal" ? "" : "Test."), null, null);
        var result = await ControlsData.AsAsync<CreateAssetCommand, Result<Asset>>(host, organizationId, spaceId, actor, c => c.ExecuteAsync(input, Ct));
        Assert.True(result.Succeeded, result.Failure?.Code);
        return result.Value!.Id;
    }

    public static async Task DependAsync(KastellHost host, Guid organizationId, Guid spaceId, Guid actor, Guid dependent, Guid dependency)
    {
        var result = await ControlsData.AsAsync<DependencyCommand, Result>(host, organizationId, spaceId, actor, c => c.AddAsync(dependent, dependency, Ct));
        Assert.True(result.Succeeded, result.Failure?.Code);
    }

    /// <summary>A Space created through its page by the organization's owner, with its address.</summary>
    public static async Task<SpacePaths> SpaceAsync(KastellHost host, OrganizationFixture org, string name = "Scope")
    {
        var id = await Tenants.CreateSpaceAsync(host, org.Owner.Browser, org.Slug, name);
        return new SpacePaths(id, $"/o/{org.Slug}/s/{name.ToLowerInvariant()}");
    }

    /// <summary>The organization's rows of one kind, as a request of the organization would see them.</summary>
    public static async Task<List<T>> RowsAsync<T>(KastellHost host, Guid organizationId)
        where T : class
    {
        var (scope, db) = host.OpenDb(organizationId);
        await using (scope)
        {
            return await db.Set<T>().AsNoTracking().ToListAsync(Ct);
        }
    }
}

/// <summary>A Space's id and address.</summary>
internal sealed record SpacePaths(Guid Id, string Base)
{
    public string Assets => Base + "/assets";

    public string Path(string rest) => Base + rest;
}
