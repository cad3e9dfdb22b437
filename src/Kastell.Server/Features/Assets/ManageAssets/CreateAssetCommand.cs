using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Features.Assets.ManageAssets;

/// <summary>Creates an asset in the request's Space; its Space and its owner are tuples written with the row.</summary>
internal sealed class CreateAssetCommand(KastellDbContext db, Tenant tenant, Permissions permissions, RelationshipWriter relationships, CurrentActor actor, TimeProvider time, IAuditLog audit)
{
    public async Task<Result<Asset>> ExecuteAsync(AssetInput input, CancellationToken cancellationToken = default)
    {
        var space = tenant.RequireSpace();
        if (!await permissions.RequireAsync("space", space.Id, "can_edit_assets", cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        var validated = await AssetInputs.ValidateAsync(input, db, cancellationToken);
        if (validated.Value is not { } valid)
        {
            return validated.Failure!;
        }

        var now = time.GetUtcNow();
        var asset = new Asset
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = space.OrganizationId,
            SpaceId = space.Id,
            Name = valid.Name,
            Kind = valid.Kind,
            Description = valid.Description,
            CreatedAt = now,
            UpdatedAt = now,
        };
        for (var goal = 0; goal < AssetInputs.Goals.Length; goal++)
        {
            asset.SetNeed(AssetInputs.Goals[goal], valid.Needs[goal]);
        }

        db.Assets.Add(asset);
        var @object = Permissions.Object("asset", asset.Id);
        await relationships.GrantAsync(@object, "space", Permissions.Object("space", space.Id), cancellationToken);
        if (valid.Owner is { } owner)
        {
            await relationships.GrantAsync(@object, "owner", owner.TupleUser, cancellationToken);
        }

        audit.Record(new(AssetEvents.AssetCreated, actor.Actor, AssetNames.Target(asset.Id), Details: new Dictionary<string, string>
        {
            ["space"] = space.Id.ToString(),
            ["name"] = AssetNames.Short(valid.Name),
            ["kind"] = valid.Kind.ToString(),
        }));
        await db.SaveChangesAsync(cancellationToken);
        return asset;
    }
}
