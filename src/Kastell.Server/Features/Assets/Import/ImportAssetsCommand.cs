using System.Security.Cryptography;
using Kastell.Server.Features.Assets.ManageAssets;
using Kastell.Server.Features.Teams;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Assets.Import;

/// <summary>What an import did or would do: the plan, or the failure and — for bad rows — every problem with its row.</summary>
internal sealed record ImportOutcome(ImportPlan? Plan, Failure? Failure, IReadOnlyList<ImportProblem> Problems)
{
    public static implicit operator ImportOutcome(Failure failure) => new(null, failure, []);
}

/// <summary>
/// Imports assets from a CSV or XLSX file into the request's Space, all or nothing: a preview checks every row and
/// changes nothing; the import checks again with the Space's row locked (what the preview saw may have changed) and
/// creates every asset, its owner and Space tuples and its dependencies in one transaction, or nothing. Each asset
/// is audited as created, the import once more with the file's SHA-256.
/// </summary>
internal sealed class ImportAssetsCommand(
    KastellDbContext db, Tenant tenant, Permissions permissions, RelationshipWriter relationships, TeamDirectory directory,
    ImportColumns columns, CurrentActor actor, TimeProvider time, IAuditLog audit)
{
    /// <summary>Checks the file; changes nothing.</summary>
    public async Task<ImportOutcome> PreviewAsync(byte[] content, CancellationToken cancellationToken = default)
    {
        var space = tenant.RequireSpace();
        if (!await permissions.RequireAsync("space", space.Id, "can_edit_assets", cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        return await PlanAsync(space, content, cancellationToken);
    }

    /// <summary>Creates every asset of the file, or nothing.</summary>
    public async Task<ImportOutcome> ExecuteAsync(byte[] content, string fileName, CancellationToken cancellationToken = default)
    {
        var space = tenant.RequireSpace();
        if (!await permissions.RequireAsync("space", space.Id, "can_edit_assets", cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await AssetLocks.LockSpaceAsync(db, space.Id, cancellationToken);
        var outcome = await PlanAsync(space, content, cancellationToken);
        if (outcome.Plan is not { } plan)
        {
            return outcome;
        }

        var now = time.GetUtcNow();
        var spaceObject = Permissions.Object("space", space.Id);
        foreach (var planned in plan.Assets)
        {
            var asset = new Asset
            {
                Id = planned.Id,
                OrganizationId = space.OrganizationId,
                SpaceId = space.Id,
                Name = planned.Asset.Name,
                Kind = planned.Asset.Kind,
                Description = planned.Asset.Description,
                CreatedAt = now,
                UpdatedAt = now,
            };
            for (var goal = 0; goal < AssetInputs.Goals.Length; goal++)
            {
                asset.SetNeed(AssetInputs.Goals[goal], planned.Asset.Needs[goal]);
            }

            db.Assets.Add(asset);
            var @object = Permissions.Object("asset", asset.Id);
            relationships.GrantOnNewObject(@object, "space", spaceObject);
            if (planned.Asset.Owner is { } owner)
            {
                relationships.GrantOnNewObject(@object, "owner", owner.TupleUser);
            }

            audit.Record(new(AssetEvents.AssetCreated, actor.Actor, AssetNames.Target(asset.Id), Details: new Dictionary<string, string>
            {
                ["space"] = space.Id.ToString(),
                ["name"] = AssetNames.Short(asset.Name),
                ["kind"] = asset.Kind.ToString(),
                ["row"] = planned.Row.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }));
        }

        foreach (var planned in plan.Assets)
        {
            foreach (var dependency in planned.DependsOn)
            {
                db.AssetDependencies.Add(new AssetDependency
                {
                    Id = Guid.CreateVersion7(),
                    OrganizationId = space.OrganizationId,
                    SpaceId = space.Id,
                    AssetId = planned.Id,
                    DependsOnId = dependency,
                    CreatedAt = now,
                });
            }
        }

        audit.Record(new(AssetEvents.AssetsImported, actor.Actor, new AuditTarget("space", space.Id.ToString()), Details: new Dictionary<string, string>
        {
            ["assets"] = plan.Assets.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["dependencies"] = plan.Dependencies.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["file"] = AssetNames.Short(fileName),
            ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(content)),
        }));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return outcome;
    }

    private async Task<ImportOutcome> PlanAsync(Space space, byte[] content, CancellationToken cancellationToken)
    {
        var sheet = Sheet.Read(content);
        if (sheet.Value is not { } read)
        {
            return sheet.Failure!;
        }

        var assets = await db.Assets.AsNoTracking().Where(a => a.SpaceId == space.Id).Select(a => new { a.Id, a.Name }).ToListAsync(cancellationToken);
        var edges = await db.AssetDependencies.AsNoTracking().Where(d => d.SpaceId == space.Id).Select(d => new { d.AssetId, d.DependsOnId }).ToListAsync(cancellationToken);
        var people = await directory.PeopleAsync(cancellationToken);
        var teams = await db.Teams.AsNoTracking().Select(t => new { t.Id, t.Name }).ToListAsync(cancellationToken);
        var (plan, problems) = ImportPlanner.Plan(read, columns, new ImportDirectory(
            [.. assets.Select(a => (a.Id, a.Name))], [.. edges.Select(e => (e.AssetId, e.DependsOnId))], people, [.. teams.Select(t => (t.Id, t.Name))]));
        return plan is null ? new ImportOutcome(null, AssetsErrors.ImportRowsInvalid, problems) : new ImportOutcome(plan, null, []);
    }
}
