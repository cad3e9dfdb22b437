using Kastell.Server.Features.Controls.Adoption;
using Kastell.Server.Features.Controls.Applicability;
using Kastell.Server.Features.Controls.ManageControls;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Security;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Mvc;

namespace Kastell.Server.Features.Controls;

/// <summary>
/// The form posts of a Space's frameworks, controls and statement of applicability, each to its own endpoint: the
/// permission is declared on the Space or on the control named in the route, and checked before anything runs. A
/// control of another Space or organization answers 404 like one that does not exist (its tuple is not in this
/// organization's store, and the commands keep to the route's Space). Form values are client input: ids that are
/// not ids are the same bad input as ids of nothing.
/// </summary>
internal static class ControlEndpoints
{
    public static void Map(RouteGroupBuilder space)
    {
        space.MapPost("/frameworks/adopt", async ([FromForm] string? framework, HttpContext context, Tenant tenant, AdoptFrameworkCommand adopt) =>
                (await adopt.ExecuteAsync(GuidOf(framework), context.RequestAborted)).ToHttpResult(context, _ => TypedResults.LocalRedirect(Path(tenant, "/frameworks?adopted=1"))))
            .RequireAuthorization()
            .RequirePermission("space", "can_adopt_frameworks")
            .RequireValidAntiforgeryToken()
            .WithName("AdoptFramework");
        space.MapPost("/frameworks/end", async ([FromForm] string? framework, HttpContext context, Tenant tenant, EndAdoptionCommand end) =>
                (await end.ExecuteAsync(GuidOf(framework), context.RequestAborted)).ToHttpResult(context, () => TypedResults.LocalRedirect(Path(tenant, "/frameworks?ended=1"))))
            .RequireAuthorization()
            .RequirePermission("space", "can_adopt_frameworks")
            .RequireValidAntiforgeryToken()
            .WithName("EndFrameworkAdoption");
        space.MapPost("/controls/create", async ([FromForm] string? title, [FromForm] string? description, HttpContext context, Tenant tenant, CreateControlCommand create) =>
                (await create.ExecuteAsync(title, description, context.RequestAborted)).ToHttpResult(context, control => TypedResults.LocalRedirect(Path(tenant, $"/controls/{control.Id:D}?created=1"))))
            .RequireAuthorization()
            .RequirePermission("space", "can_edit_controls")
            .RequireValidAntiforgeryToken()
            .WithName("CreateControl");
        space.MapPost("/controls/{id:guid}/edit", async (Guid id, [FromForm] string? title, [FromForm] string? description, [FromForm] string? status, [FromForm] string? owner, HttpContext context, Tenant tenant, UpdateControlCommand update) =>
                (await update.ExecuteAsync(id, new ControlChange(title, description, status, owner), cancellationToken: context.RequestAborted)).ToHttpResult(context, () => TypedResults.LocalRedirect(Path(tenant, $"/controls/{id:D}?saved=1"))))
            .RequireAuthorization()
            .RequirePermission("control", "can_edit")
            .RequireValidAntiforgeryToken()
            .WithName("UpdateControl");
        space.MapPost("/controls/{id:guid}/delete", async (Guid id, HttpContext context, Tenant tenant, DeleteControlCommand delete) =>
                (await delete.ExecuteAsync(id, context.RequestAborted)).ToHttpResult(context, () => TypedResults.LocalRedirect(Path(tenant, "/controls?deleted=1"))))
            .RequireAuthorization()
            .RequirePermission("control", "can_delete", auditAllow: true)
            .RequireValidAntiforgeryToken()
            .WithName("DeleteControl");
        space.MapPost("/controls/{id:guid}/links/add", async (Guid id, [FromForm] string? framework, [FromForm] string? requirement, HttpContext context, Tenant tenant, LinkRequirementCommand link) =>
                (await link.LinkAsync(id, GuidOf(framework), requirement, context.RequestAborted)).ToHttpResult(context, () => TypedResults.LocalRedirect(Path(tenant, $"/controls/{id:D}?linked=1"))))
            .RequireAuthorization()
            .RequirePermission("control", "can_edit")
            .RequireValidAntiforgeryToken()
            .WithName("LinkControlRequirement");
        space.MapPost("/controls/{id:guid}/links/remove", async (Guid id, [FromForm] string? requirement, HttpContext context, Tenant tenant, LinkRequirementCommand link) =>
                (await link.UnlinkAsync(id, GuidOf(requirement), context.RequestAborted)).ToHttpResult(context, () => TypedResults.LocalRedirect(Path(tenant, $"/controls/{id:D}?unlinked=1"))))
            .RequireAuthorization()
            .RequirePermission("control", "can_edit")
            .RequireValidAntiforgeryToken()
            .WithName("UnlinkControlRequirement");
        space.MapPost("/soa", async ([FromForm] string? framework, [FromForm] string? requirement, [FromForm] string? applicable, [FromForm] string? justification, [FromForm] string? page, HttpContext context, Tenant tenant, RecordApplicabilityCommand record) =>
                (await record.ExecuteAsync(GuidOf(requirement), applicable, justification, context.RequestAborted)).ToHttpResult(context, () => TypedResults.LocalRedirect(SoaReturn(tenant, framework, page, requirement))))
            .RequireAuthorization()
            .RequirePermission("space", "can_edit_controls")
            .RequireValidAntiforgeryToken()
            .WithName("RecordApplicability");
        // Not read-only: every download is an audit event (SoaDownloadAsync).
        space.MapGet("/soa/{framework:guid}/xlsx", async (Guid framework, HttpContext context, Tenant tenant, SoaWorkbook workbook, AdoptionQueries adoptions, CurrentActor actor, IAuditLog audit) =>
                await SoaDownloadAsync(framework, context, tenant, workbook, adoptions, actor, audit))
            .RequireAuthorization()
            .RequirePermission("space", "can_read_controls")
            .WithName("DownloadSoaXlsx");
    }

    /// <summary>
    /// The statement of applicability of a framework the Space adopts now, as a workbook (404 for any other framework).
    /// The download is recorded like an export of the audit log: in its own transaction, before the file leaves.
    /// </summary>
    public static async Task<IResult> SoaDownloadAsync(Guid framework, HttpContext context, Tenant tenant, SoaWorkbook workbook, AdoptionQueries adoptions, CurrentActor actor, IAuditLog audit)
    {
        var space = tenant.RequireSpace();
        if ((await adoptions.CurrentAsync(space.Id, context.RequestAborted)).FirstOrDefault(a => a.FrameworkId == framework) is not { } adoption)
        {
            return Failures.NotFound.ToHttpResult(context);
        }

        var file = await workbook.CreateAsync(space.Id, adoption, context.RequestAborted);
        await audit.RecordNowAsync(new(ControlEvents.StatementOfApplicabilityExported, actor.Actor, AuditTarget.Space(space.Id), Details: new Dictionary<string, string>
        {
            ["framework"] = adoption.FrameworkId.ToString(),
            ["version"] = adoption.VersionId.ToString(),
            ["format"] = "xlsx",
            ["lines"] = adoption.Requirements.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }), context.RequestAborted);
        return TypedResults.File(file, SoaWorkbook.ContentType, SoaWorkbook.FileName(adoption));
    }

    public static string Path(Tenant tenant, string path) => TenantRoutes.SpacePath(tenant.RequireOrganization(), tenant.RequireSpace(), path);

    private static Guid? GuidOf(string? value) => Guid.TryParseExact(value, "D", out var id) ? id : null;

    /// <summary>Back to the line just saved on its page of the statement (built from parsed values only: never a client's text in the address).</summary>
    private static string SoaReturn(Tenant tenant, string? framework, string? page, string? requirement)
    {
        if (GuidOf(framework) is not { } frameworkId)
        {
            return Path(tenant, "/frameworks");
        }

        var number = int.TryParse(page, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) && p is > 0 and <= 100_000 ? p : 1;
        var anchor = GuidOf(requirement) is { } r ? $"#r-{r:D}" : "";
        return Path(tenant, $"/soa/{frameworkId:D}?page={number.ToString(System.Globalization.CultureInfo.InvariantCulture)}&saved=1{anchor}");
    }
}
