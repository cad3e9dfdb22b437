using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Assets.ManageAssets;

/// <summary>Deletes an asset, its dependencies both ways (the database cascades) and every tuple naming it.</summary>
internal sealed class DeleteAssetCommand(KastellDbContext db, Tenant tenant, Permissions permissions, RelationshipWriter relationships, CurrentActor actor, IAuditLog audit)
{
    public async Task<Result> ExecuteAsync(Guid assetId, CancellationToken cancellationToken = default)
    {
        var space = tenant.RequireSpace();
        var asset = await db.Assets.SingleOrDefaultAsync(a => a.Id == assetId && a.SpaceId == space.Id, cancellationToken);
        if (asset is null)
        {
            return Failures.NotFound;
        }

        if (!await permissions.RequireAsync("asset", assetId, "can_delete", auditAllow: true, cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        // The Space's lock, as dependency changes take it: the rows read here are the rows deleted, and a dependency
        // added meanwhile waits and then finds the asset gone.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await AssetLocks.LockSpaceAsync(db, space.Id, cancellationToken);
        if (!await db.Assets.AnyAsync(a => a.Id == assetId, cancellationToken))
        {
            return Failures.NotFound;
        }

        db.AssetDependencies.RemoveRange(await db.AssetDependencies.Where(d => d.AssetId == assetId || d.DependsOnId == assetId).ToListAsync(cancellationToken));
        db.Assets.Remove(asset);
        await relationships.RevokeAllAsync(@object: Permissions.Object("asset", assetId), cancellationToken: cancellationToken);
        audit.Record(new(AssetEvents.AssetDeleted, actor.Actor, AssetNames.Target(assetId), Details: new Dictionary<string, string>
        {
            ["space"] = space.Id.ToString(),
            ["name"] = AssetNames.Short(asset.Name),
        }));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Result.Done;
    }
}
