using Kastell.Server.Features.Assets.Inheritance;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Assets.ManageAssets;

/// <summary>
/// Adds and removes "asset A depends on asset B" within one Space. Whoever may edit A decides what it depends on
/// (B's needs follow from it by the maximum principle). A dependency that would close a cycle is refused: checked
/// with the Space's row locked, so two additions at once cannot close one together.
/// </summary>
internal sealed class DependencyCommand(KastellDbContext db, Tenant tenant, Permissions permissions, CurrentActor actor, TimeProvider time, IAuditLog audit)
{
    public async Task<Result> AddAsync(Guid assetId, Guid? dependsOnId, CancellationToken cancellationToken = default)
    {
        var space = tenant.RequireSpace();
        if (await RequireEditAsync(space, assetId, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (dependsOnId is not { } target)
        {
            return AssetsErrors.DependencyInvalid;
        }

        // Both assets are looked up again under the Space's lock, which a deletion takes too: one deleted a moment
        // ago is "not found" here, not a foreign-key failure at the insert.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await AssetLocks.LockSpaceAsync(db, space.Id, cancellationToken);
        if (!await db.Assets.AnyAsync(a => a.Id == assetId && a.SpaceId == space.Id, cancellationToken))
        {
            return Failures.NotFound;
        }

        if (!await db.Assets.AnyAsync(a => a.Id == target && a.SpaceId == space.Id, cancellationToken))
        {
            return AssetsErrors.DependencyInvalid;
        }

        var edges = await db.AssetDependencies.Where(d => d.SpaceId == space.Id).Select(d => new { d.AssetId, d.DependsOnId }).ToListAsync(cancellationToken);
        if (edges.Any(e => e.AssetId == assetId && e.DependsOnId == target))
        {
            return Result.Done;
        }

        if (ProtectionInheritance.CycleThrough(edges.Select(e => (e.AssetId, e.DependsOnId)), assetId, target) is not null)
        {
            return AssetsErrors.DependencyCycle;
        }

        db.AssetDependencies.Add(new AssetDependency
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = space.OrganizationId,
            SpaceId = space.Id,
            AssetId = assetId,
            DependsOnId = target,
            CreatedAt = time.GetUtcNow(),
        });
        audit.Record(new(AssetEvents.AssetDependencyAdded, actor.Actor, AssetNames.Target(assetId), Details: new Dictionary<string, string> { ["dependsOn"] = target.ToString() }));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Result.Done;
    }

    public async Task<Result> RemoveAsync(Guid assetId, Guid? dependsOnId, CancellationToken cancellationToken = default)
    {
        var space = tenant.RequireSpace();
        if (await RequireEditAsync(space, assetId, cancellationToken) is { } refused)
        {
            return refused;
        }

        // Under the Space's lock: a deletion of either asset (which removes the row) cannot slip in between.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await AssetLocks.LockSpaceAsync(db, space.Id, cancellationToken);
        var row = dependsOnId is { } target
            ? await db.AssetDependencies.SingleOrDefaultAsync(d => d.AssetId == assetId && d.DependsOnId == target, cancellationToken)
            : null;
        if (row is null)
        {
            return AssetsErrors.DependencyInvalid;
        }

        db.AssetDependencies.Remove(row);
        audit.Record(new(AssetEvents.AssetDependencyRemoved, actor.Actor, AssetNames.Target(assetId), Details: new Dictionary<string, string> { ["dependsOn"] = row.DependsOnId.ToString() }));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Result.Done;
    }

    private async Task<Failure?> RequireEditAsync(Space space, Guid assetId, CancellationToken cancellationToken)
    {
        if (!await db.Assets.AnyAsync(a => a.Id == assetId && a.SpaceId == space.Id, cancellationToken))
        {
            return Failures.NotFound;
        }

        return await permissions.RequireAsync("asset", assetId, "can_edit", cancellationToken: cancellationToken) ? null : Failures.NotAllowed;
    }
}
