using System.Text.Json;
using Kastell.Server.Features.Assets.Inheritance;
using Kastell.Server.Features.Assets.ManageAssets;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Http.Api;
using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Features.Assets.Api;

/// <summary>One goal of an asset as the API shows it: the asset's own level and override with their justifications, and the effective need with where it comes from.</summary>
public sealed record NeedResource(ProtectionLevel Level, string Justification, ProtectionLevel? Override, string OverrideJustification, ProtectionLevel Effective, NeedSource Source, Guid? InheritedFrom);

/// <summary>An asset as the API shows it. <c>owner</c>: <c>user:…</c>, <c>team:…</c> or null.</summary>
public sealed record AssetResource(Guid Id, string Name, AssetKind Kind, string Description, string? Owner, NeedResource Confidentiality, NeedResource Integrity,
    NeedResource Availability, IReadOnlyList<Guid> DependsOn, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>An asset in a list: its effective needs per goal.</summary>
public sealed record AssetSummaryResource(Guid Id, string Name, AssetKind Kind, string? Owner, ProtectionLevel Confidentiality, ProtectionLevel Integrity, ProtectionLevel Availability);

/// <summary>One goal as a client sends it; a justification is required for high and very high and for any override.</summary>
public sealed record NeedBody(ProtectionLevel Level, string? Justification = null, ProtectionLevel? Override = null, string? OverrideJustification = null);

/// <summary>An asset as a client creates or replaces it (a missing goal is normal, without override).</summary>
public sealed record AssetBody(string Name, AssetKind Kind, string? Description = null, string? Owner = null, NeedBody? Confidentiality = null, NeedBody? Integrity = null, NeedBody? Availability = null)
{
    public AssetInput ToInput() => new(Name, Kind.ToString(), Description, Owner, Need(Confidentiality), Need(Integrity), Need(Availability));

    private static NeedInput? Need(NeedBody? need) => need is null ? null : new(need.Level.ToString(), need.Justification, need.Override?.ToString(), need.OverrideJustification);
}

/// <summary>
/// <c>/api/v1/o/{org}/s/{space}/assets</c>: list (cursor-paged in creation order), read, create (Idempotency-Key),
/// replace (If-Match with the ETag read: 412 when the asset changed meanwhile, 428 without) and delete. Same
/// permissions as the pages; an asset of another Space or organization is a 404 like a missing one.
/// </summary>
internal static class AssetApiEndpoints
{
    public static void Map(RouteGroupBuilder space)
    {
        space.MapGet("/assets", ListAsync).WithTags("Assets").RequirePermission("space", "can_read_assets").ReadOnly().WithName("ApiListAssets")
            .Produces<ApiPage<AssetSummaryResource>>().ProducesApiErrors(StatusCodes.Status400BadRequest);
        space.MapPost("/assets", CreateAsync).Accepts<AssetBody>("application/json").WithTags("Assets").RequirePermission("space", "can_edit_assets").WithName("ApiCreateAsset")
            .Produces<AssetResource>(StatusCodes.Status201Created)
            .ProducesApiErrors(StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status422UnprocessableEntity);
        space.MapGet("/assets/{id:guid}", GetAsync).WithTags("Assets").RequirePermission("asset", "can_read").ReadOnly().WithName("ApiGetAsset")
            .Produces<AssetResource>().ProducesApiErrors();
        space.MapPut("/assets/{id:guid}", UpdateAsync).Accepts<AssetBody>("application/json").WithTags("Assets").RequirePermission("asset", "can_edit").WithName("ApiUpdateAsset")
            .Produces<AssetResource>()
            .ProducesApiErrors(StatusCodes.Status400BadRequest, StatusCodes.Status412PreconditionFailed, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status428PreconditionRequired);
        space.MapDelete("/assets/{id:guid}", DeleteAsync).WithTags("Assets").RequirePermission("asset", "can_delete", auditAllow: true).WithName("ApiDeleteAsset")
            .Produces(StatusCodes.Status204NoContent).ProducesApiErrors();
    }

    private static async Task<IResult> ListAsync(string? cursor, string? limit, HttpContext context, Tenant tenant, AssetQueries assets)
    {
        var (take, bad) = ApiPaging.Limit(limit);
        if (bad is not null)
        {
            return bad.ToProblem(context);
        }

        if (!ApiPaging.TryReadGuid(cursor, out var after))
        {
            return ApiErrors.InvalidCursor.ToProblem(context);
        }

        var rows = await assets.PageAsync(tenant.RequireSpace().Id, after, take + 1, context.RequestAborted);
        return TypedResults.Ok(ApiPaging.Page(rows, take,
            r => new AssetSummaryResource(r.Id, r.Name, r.Kind, r.Owner?.ToString(), r.Needs[0].Level, r.Needs[1].Level, r.Needs[2].Level),
            r => ApiPaging.Cursor(r.Id)));
    }

    private static async Task<IResult> GetAsync(Guid id, HttpContext context, Tenant tenant, AssetQueries assets)
    {
        if (await assets.FindAsync(tenant.RequireSpace().Id, id, context.RequestAborted) is not { } detail)
        {
            return Failures.NotFound.ToProblem(context);
        }

        context.Response.Headers.ETag = ETag(context, detail.Asset, detail.Owner);
        return TypedResults.Ok(Resource(detail));
    }

    private static async Task<IResult> CreateAsync(HttpContext context, Tenant tenant, CreateAssetCommand create, AssetQueries assets, Idempotency idempotency)
    {
        var (body, failure, detail) = await ApiBody.ReadAsync<AssetBody>(context);
        if (body is null)
        {
            return failure!.ToProblem(context, detail);
        }

        return await idempotency.RunAsync(context, JsonSerializer.Serialize(body), async () =>
        {
            var result = await create.ExecuteAsync(body.ToInput(), context.RequestAborted);
            if (result.Value is not { } asset)
            {
                return result.Failure!.ToProblem(context);
            }

            var created = (await assets.FindAsync(asset.SpaceId, asset.Id, context.RequestAborted))!;
            context.Response.Headers.ETag = ETag(context, created.Asset, created.Owner);
            return TypedResults.Created($"{TenantRoutes.ApiPrefix}{AssetEndpoints.Path(tenant, $"/assets/{asset.Id:D}")}", Resource(created));
        });
    }

    private static async Task<IResult> UpdateAsync(Guid id, HttpContext context, Tenant tenant, UpdateAssetCommand update, AssetQueries assets)
    {
        if (ApiETags.IfMatch(context.Request) is not { } ifMatch)
        {
            return ApiErrors.PreconditionRequired.ToProblem(context);
        }

        var (body, failure, detail) = await ApiBody.ReadAsync<AssetBody>(context);
        if (body is null)
        {
            return failure!.ToProblem(context, detail);
        }

        var result = await update.ExecuteAsync(id, body.ToInput(), (stored, owner) => ApiETags.Matches(ifMatch, ETag(context, stored, owner)), context.RequestAborted);
        if (!result.Succeeded)
        {
            return result.Failure!.ToProblem(context);
        }

        var updated = (await assets.FindAsync(tenant.RequireSpace().Id, id, context.RequestAborted))!;
        context.Response.Headers.ETag = ETag(context, updated.Asset, updated.Owner);
        return TypedResults.Ok(Resource(updated));
    }

    private static async Task<IResult> DeleteAsync(Guid id, HttpContext context, DeleteAssetCommand delete) =>
        (await delete.ExecuteAsync(id, context.RequestAborted)).ToHttpResult(context, () => TypedResults.NoContent());

    /// <summary>
    /// The ETag of what a client can change (the asset's own fields and its owner, with the time of the last change):
    /// not of the effective needs, which change with other assets and would fail updates no one raced.
    /// </summary>
    private static string ETag(HttpContext context, Asset asset, Subject? owner) =>
        ApiETags.Of(context, new
        {
            asset.Id, asset.Name, Kind = asset.Kind.ToString(), asset.Description, Owner = owner?.ToString(),
            C = asset.Need(ProtectionGoal.Confidentiality), I = asset.Need(ProtectionGoal.Integrity), A = asset.Need(ProtectionGoal.Availability), asset.UpdatedAt,
        });

    private static AssetResource Resource(AssetDetail detail)
    {
        var asset = detail.Asset;
        NeedResource Need(ProtectionGoal goal)
        {
            var own = asset.Need(goal);
            var effective = detail.Needs[(int)goal];
            return new NeedResource(own.Level, own.Justification, own.Override, own.OverrideJustification, effective.Level, effective.Source, effective.From);
        }

        return new AssetResource(asset.Id, asset.Name, asset.Kind, asset.Description, detail.Owner?.ToString(),
            Need(ProtectionGoal.Confidentiality), Need(ProtectionGoal.Integrity), Need(ProtectionGoal.Availability),
            [.. detail.DependsOn.Select(d => d.Id)], asset.CreatedAt, asset.UpdatedAt);
    }
}
