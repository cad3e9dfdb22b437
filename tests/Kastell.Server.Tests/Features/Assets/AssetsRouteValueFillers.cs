using Kastell.Server.Features.Assets;
using Kastell.Server.Tests.Platform.Authorization.AttackMatrix;

namespace Kastell.Server.Tests.Features.Assets;

/// <summary>An asset of the Vault (also what a dependency form names); its name is seen only by those who may read it.</summary>
internal sealed class AssetFiller : RouteValueFiller
{
    public override IReadOnlyList<string> Keys => ["asset", "assets/id", "assetId", "dependsOn"];

    public override async Task<string> CreateAsync(VictimTenant victim)
    {
        var name = $"Tresorrechner {victim.Suffix}";
        var asset = await AssetsData.CreateAsync(victim.Host, victim.OrganizationId, victim.Vault.Id, victim.OwnerId, name, AssetKind.Infrastructure, "VeryHigh");
        victim.AddMarker(name, "asset", asset);
        return asset.ToString();
    }
}
