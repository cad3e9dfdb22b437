using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Security;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Mvc;

namespace Kastell.Server.Features.Assets.Import;

/// <summary>
/// The import's template download and its confirmation (the preview is the import page's own form). The confirmation
/// carries the previewed file in a protected payload bound to the person and the Space, so it is larger than the
/// platform's form limits allow; only this endpoint accepts that much.
/// </summary>
internal static class ImportEndpoints
{
    public static void Map(RouteGroupBuilder space)
    {
        space.MapGet("/assets/import/template.csv", () => TypedResults.File(ImportTemplate.Csv(), "text/csv; charset=utf-8", ImportTemplate.FileName))
            .RequireAuthorization()
            .RequirePermission("space", "can_edit_assets")
            .ReadOnly()
            .WithName("AssetImportTemplate");
        space.MapPost("/assets/import/confirm", ConfirmAsync)
            .RequireAuthorization()
            .RequirePermission("space", "can_edit_assets")
            .RequireValidAntiforgeryToken()
            .WithMetadata(new RequestSizeLimitAttribute(AssetImportUpload.MaxConfirmBytes))
            .WithFormOptions(valueLengthLimit: (int)AssetImportUpload.MaxConfirmBytes)
            .WithName("ConfirmAssetImport");
    }

    private static async Task<IResult> ConfirmAsync(HttpContext context, Tenant tenant, CurrentActor actor, ImportPayloads payloads, ImportAssetsCommand import)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (payloads.Unprotect(actor.RequireUserId(), tenant.RequireSpace().Id, form[ImportPayloads.Field]) is not { } file)
        {
            return AssetsErrors.ImportExpired.ToHttpResult(context);
        }

        var outcome = await import.ExecuteAsync(file.Content, file.FileName, context.RequestAborted);
        return outcome.Plan is { } plan
            ? TypedResults.LocalRedirect(AssetEndpoints.Path(tenant, $"/assets?imported={plan.Assets.Count}"))
            : outcome.Failure!.ToHttpResult(context);
    }
}
