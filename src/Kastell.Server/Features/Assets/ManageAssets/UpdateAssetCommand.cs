using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Assets.ManageAssets;

/// <summary>
/// Changes an asset: name, kind, description, owner (the <c>asset#owner</c> tuple, replaced in the same unit of work)
/// and the protection needs with their justifications and overrides.
/// </summary>
internal sealed class UpdateAssetCommand(KastellDbContext db, Tenant tenant, Permissions permissions, RelationshipReader reader, RelationshipWriter relationships,
    CurrentActor actor, TimeProvider time, IAuditLog audit)
{
    /// <param name="precondition">Checked against the stored asset and owner with the row locked (an API update's If-Match); false refuses with 412 and changes nothing.</param>
    public async Task<Result<Asset>> ExecuteAsync(Guid assetId, AssetInput input, Func<Asset, Subject?, bool>? precondition = null, CancellationToken cancellationToken = default)
    {
        var space = tenant.RequireSpace();
        if (!await db.Assets.AnyAsync(a => a.Id == assetId && a.SpaceId == space.Id, cancellationToken))
        {
            return Failures.NotFound;
        }

        if (!await permissions.RequireAsync("asset", assetId, "can_edit", cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        var validated = await AssetInputs.ValidateAsync(input, db, cancellationToken);
        if (validated.Value is not { } valid)
        {
            return validated.Failure!;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await AssetLocks.LockAssetAsync(db, assetId, cancellationToken);
        var asset = await db.Assets.SingleAsync(a => a.Id == assetId, cancellationToken);
        var @object = Permissions.Object("asset", asset.Id);
        var owners = (await reader.OfObjectAsync(@object, ["owner"], cancellationToken)).Select(t => t.User).ToList();
        var currentOwner = owners.Select(o => Subject.TryParse(o, out var s) ? s : (Subject?)null).FirstOrDefault(s => s is not null);
        if (precondition is not null && !precondition(asset, currentOwner))
        {
            return Platform.Http.Api.ApiErrors.PreconditionFailed;
        }

        var changed = new Dictionary<string, string>();
        if (asset.Name != valid.Name)
        {
            changed["name"] = AssetNames.Short(valid.Name);
        }

        if (asset.Kind != valid.Kind)
        {
            changed["kind"] = valid.Kind.ToString();
        }

        if (asset.Description != valid.Description)
        {
            changed["description"] = "changed";
        }

        for (var goal = 0; goal < AssetInputs.Goals.Length; goal++)
        {
            var before = asset.Need(AssetInputs.Goals[goal]);
            var after = valid.Needs[goal];
            var key = AssetInputs.Goals[goal].ToString().ToLowerInvariant();
            if (before.Level != after.Level || before.Justification != after.Justification)
            {
                changed[key] = after.Level.ToString();
            }

            if (before.Override != after.Override || before.OverrideJustification != after.OverrideJustification)
            {
                changed[key + "Override"] = after.Override?.ToString() ?? "";
            }
        }

        var wanted = valid.Owner?.TupleUser;
        if (owners.Count != (wanted is null ? 0 : 1) || (wanted is not null && owners[0] != wanted))
        {
            // Ownership gives can_edit: handing it on is for those who edit the Space's assets anyway, not for an
            // owner who only views the Space (they would hand edit rights to any person or team).
            if (!await permissions.RequireAsync("space", space.Id, "can_edit_assets", cancellationToken: cancellationToken))
            {
                return Failures.NotAllowed;
            }

            foreach (var previous in owners)
            {
                await relationships.RevokeAsync(@object, "owner", previous, cancellationToken);
            }

            if (wanted is not null)
            {
                await relationships.GrantAsync(@object, "owner", wanted, cancellationToken);
            }

            changed["owner"] = valid.Owner?.ToString() ?? "";
        }

        if (changed.Count == 0)
        {
            return asset;
        }

        asset.Name = valid.Name;
        asset.Kind = valid.Kind;
        asset.Description = valid.Description;
        for (var goal = 0; goal < AssetInputs.Goals.Length; goal++)
        {
            asset.SetNeed(AssetInputs.Goals[goal], valid.Needs[goal]);
        }

        asset.UpdatedAt = time.GetUtcNow();
        audit.Record(new(AssetEvents.AssetUpdated, actor.Actor, AssetNames.Target(asset.Id), Details: changed));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return asset;
    }
}
