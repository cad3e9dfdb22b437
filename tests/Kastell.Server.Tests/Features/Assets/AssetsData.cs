using Kastell.Server.Features.Assets;
using Kastell.Server.Features.Assets.ManageAssets;
using Kastell.Server.Platform.Http;
using Kastell.Server.Tests.Features.Controls;
using Kastell.Server.Tests.Support;

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
}
