using Kastell.Server.Features.Assets.ManageAssets;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Security;
using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Features.Assets;

/// <summary>
/// The form posts of a Space's assets, each to its own endpoint: the permission is declared on the Space or on the
/// asset named in the route and checked before anything runs. An asset of another Space or organization answers 404
/// like one that does not exist. Form values are client input: ids that are not ids are the same bad input as ids of
/// nothing.
/// </summary>
internal static class AssetEndpoints
{
    public static void Map(RouteGroupBuilder space)
    {
        space.MapPost("/assets/create", async (HttpContext context, Tenant tenant, CreateAssetCommand create) =>
                (await create.ExecuteAsync(await InputAsync(context), context.RequestAborted)).ToHttpResult(context, asset => TypedResults.LocalRedirect(Path(tenant, $"/assets/{asset.Id:D}?created=1"))))
            .RequireAuthorization()
            .RequirePermission("space", "can_edit_assets")
            .RequireValidAntiforgeryToken()
            .WithName("CreateAsset");
        space.MapPost("/assets/{id:guid}/update", async (Guid id, HttpContext context, Tenant tenant, UpdateAssetCommand update) =>
                (await update.ExecuteAsync(id, await InputAsync(context), cancellationToken: context.RequestAborted)).ToHttpResult(context, _ => TypedResults.LocalRedirect(Path(tenant, $"/assets/{id:D}?saved=1"))))
            .RequireAuthorization()
            .RequirePermission("asset", "can_edit")
            .RequireValidAntiforgeryToken()
            .WithName("UpdateAsset");
        space.MapPost("/assets/{id:guid}/delete", async (Guid id, HttpContext context, Tenant tenant, DeleteAssetCommand delete) =>
                (await delete.ExecuteAsync(id, context.RequestAborted)).ToHttpResult(context, () => TypedResults.LocalRedirect(Path(tenant, "/assets?deleted=1"))))
            .RequireAuthorization()
            .RequirePermission("asset", "can_delete", auditAllow: true)
            .RequireValidAntiforgeryToken()
            .WithName("DeleteAsset");
        space.MapPost("/assets/{id:guid}/dependencies/add", async (Guid id, HttpContext context, Tenant tenant, DependencyCommand dependencies) =>
                (await dependencies.AddAsync(id, GuidOf((await context.Request.ReadFormAsync(context.RequestAborted))["dependsOn"]), context.RequestAborted))
                    .ToHttpResult(context, () => TypedResults.LocalRedirect(Path(tenant, $"/assets/{id:D}?linked=1"))))
            .RequireAuthorization()
            .RequirePermission("asset", "can_edit")
            .RequireValidAntiforgeryToken()
            .WithName("AddAssetDependency");
        space.MapPost("/assets/{id:guid}/dependencies/remove", async (Guid id, HttpContext context, Tenant tenant, DependencyCommand dependencies) =>
                (await dependencies.RemoveAsync(id, GuidOf((await context.Request.ReadFormAsync(context.RequestAborted))["dependsOn"]), context.RequestAborted))
                    .ToHttpResult(context, () => TypedResults.LocalRedirect(Path(tenant, $"/assets/{id:D}?unlinked=1"))))
            .RequireAuthorization()
            .RequirePermission("asset", "can_edit")
            .RequireValidAntiforgeryToken()
            .WithName("RemoveAssetDependency");
    }

    public static string Path(Tenant tenant, string path) => TenantRoutes.SpacePath(tenant.RequireOrganization(), tenant.RequireSpace(), path);

    /// <summary>The asset form's fields: name, kind, description, owner, and per goal (c, i, a) level, justification, override and its justification.</summary>
    private static async Task<AssetInput> InputAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        string? Field(string name) => form.TryGetValue(name, out var value) ? value.ToString() : null;
        NeedInput Need(string goal) => new(Field($"{goal}-level"), Field($"{goal}-justification"), Field($"{goal}-override"), Field($"{goal}-override-justification"));
        return new AssetInput(Field("name"), Field("kind"), Field("description"), Field("owner"), Need("c"), Need("i"), Need("a"));
    }

    private static Guid? GuidOf(string? value) => Guid.TryParseExact(value, "D", out var id) ? id : null;
}
