using Kastell.Server.Features.Evidence.Browse;
using Kastell.Server.Features.Evidence.Review;
using Kastell.Server.Features.Evidence.Submit;
using Kastell.Server.Features.Evidence.Visibility;
using Kastell.Server.Features.Files;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Security;
using Kastell.Server.Platform.Storage;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Kastell.Server.Features.Evidence;

/// <summary>
/// The form posts and the download of a Space's evidence. The permission is declared on the Space or on the item named
/// in the route and checked before anything runs; an item the caller may not read answers 404 like one that does not
/// exist (the middleware answers 404 when <c>evidence#can_read</c> is denied), so the download of evidence outside the
/// visibility rule does not even tell that it exists. An item of another Space answers 404 as well.
/// </summary>
internal static class EvidenceEndpoints
{
    public static void Map(RouteGroupBuilder space)
    {
        space.MapPost("/evidence/create", async (HttpContext context, Tenant tenant, SubmitEvidenceCommand submit) =>
            {
                var form = await context.Request.ReadFormAsync(context.RequestAborted);
                var fields = form.ToDictionary(f => f.Key, f => f.Value.Select(v => v ?? "").ToList());
                return (await submit.ExecuteAsync(Input(fields), cancellationToken: context.RequestAborted))
                    .ToHttpResult(context, item => TypedResults.LocalRedirect(Path(tenant, $"/evidence/{item.Id:D}?created=1")));
            })
            .RequireAuthorization()
            .RequirePermission("space", "can_add_evidence")
            .RequireValidAntiforgeryToken()
            .WithName("CreateEvidence");
        // No antiforgery metadata: the middleware would buffer the whole form to find the token; MultipartUpload
        // validates it from the first section, before the file is read (as the files page's upload).
        space.MapPost("/evidence/upload", UploadAsync)
            .RequireAuthorization()
            .RequirePermission("space", "can_add_evidence")
            .DisableAntiforgery()
            .WithName("UploadEvidence");
        space.MapPost("/evidence/{id:guid}/versions", AddVersionAsync)
            .RequireAuthorization()
            .RequirePermission("evidence", "can_edit")
            .DisableAntiforgery()
            .WithName("AddEvidenceVersion");
        space.MapGet("/evidence/{id:guid}/file", DownloadAsync)
            .RequireAuthorization()
            .RequirePermission("evidence", "can_read")
            .WithName("DownloadEvidence");
        space.MapPost("/evidence/{id:guid}/review", async (Guid id, HttpContext context, Tenant tenant, ReviewEvidenceCommand review) =>
            {
                var form = await context.Request.ReadFormAsync(context.RequestAborted);
                return (await review.ExecuteAsync(id, form["decision"].ToString(), form["comment"].ToString(), cancellationToken: context.RequestAborted))
                    .ToHttpResult(context, () => TypedResults.LocalRedirect(Path(tenant, $"/evidence/{id:D}?reviewed=1")));
            })
            .RequireAuthorization()
            .RequirePermission("evidence", "can_review")
            .RequireValidAntiforgeryToken()
            .WithName("ReviewEvidence");
        space.MapPost("/evidence/visibility", async (HttpContext context, Tenant tenant, EvidenceVisibilityCommand visibility) =>
            {
                var form = await context.Request.ReadFormAsync(context.RequestAborted);
                var value = form["visibleToAll"].ToString();
                if (value is not ("true" or "false"))
                {
                    return EvidenceErrors.VisibilityInvalid.ToHttpResult(context);
                }

                return (await visibility.ExecuteAsync(value == "true", context.RequestAborted))
                    .ToHttpResult(context, () => TypedResults.LocalRedirect(Path(tenant, "/evidence?visibility=1")));
            })
            .RequireAuthorization()
            .RequirePermission("space", "can_configure_evidence", auditAllow: true)
            .RequireValidAntiforgeryToken()
            .WithName("SetEvidenceVisibility");
    }

    public static string Path(Tenant tenant, string path) => TenantRoutes.SpacePath(tenant.RequireOrganization(), tenant.RequireSpace(), path);

    /// <summary>The evidence form's fields (one value each, the controls and assets as many as chosen).</summary>
    internal static EvidenceInput Input(IReadOnlyDictionary<string, List<string>> fields)
    {
        string? Field(string name) => fields.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;
        return new EvidenceInput(Field("kind"), Field("title"), Field("url"), Field("note"), Field("effectiveOn"), Field("observedFrom"), Field("observedTo"),
            Field("validUntil"), fields.GetValueOrDefault("controls") ?? [], fields.GetValueOrDefault("assets") ?? []);
    }

    private static async Task<IResult> UploadAsync(HttpContext context, Tenant tenant, SubmitEvidenceCommand submit, Uploads uploads,
        IAntiforgery antiforgery, IOptions<AntiforgeryOptions> antiforgeryOptions)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = uploads.MaxBytes + FileEndpoints.MultipartAllowanceBytes;
        }

        try
        {
            var fields = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            var file = await new MultipartUpload(context, antiforgery, antiforgeryOptions).OpenFileAsync(fields, context.RequestAborted);
            if (file is null)
            {
                return Results.StatusCode(StatusCodes.Status400BadRequest);
            }

            var input = Input(fields) with { Kind = nameof(EvidenceKind.File) };
            return (await submit.ExecuteAsync(input, new EvidenceFile(FileNames.Clean(MultipartUpload.ClientFileName(file)), file.Body), context.RequestAborted))
                .ToHttpResult(context, item => TypedResults.LocalRedirect(Path(tenant, $"/evidence/{item.Id:D}?created=1")));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return EvidenceErrors.FileRefused.ToHttpResult(context);
        }
    }

    private static async Task<IResult> AddVersionAsync(Guid id, HttpContext context, Tenant tenant, AddEvidenceVersionCommand add, Uploads uploads,
        IAntiforgery antiforgery, IOptions<AntiforgeryOptions> antiforgeryOptions)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = uploads.MaxBytes + FileEndpoints.MultipartAllowanceBytes;
        }

        try
        {
            var file = await new MultipartUpload(context, antiforgery, antiforgeryOptions).OpenFileAsync(context.RequestAborted);
            if (file is null)
            {
                return Results.StatusCode(StatusCodes.Status400BadRequest);
            }

            return (await add.ExecuteAsync(id, new EvidenceFile(FileNames.Clean(MultipartUpload.ClientFileName(file)), file.Body), context.RequestAborted))
                .ToHttpResult(context, _ => TypedResults.LocalRedirect(Path(tenant, $"/evidence/{id:D}?created=1")));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return EvidenceErrors.FileRefused.ToHttpResult(context);
        }
    }

    private static async Task<IResult> DownloadAsync(Guid id, string? version, HttpContext context, CurrentActor actor, Tenant tenant, EvidenceQueries evidence,
        SpaceFiles files, IAuditLog audit)
    {
        var space = tenant.RequireSpace();
        // Read as text (client input): a version that is not a number is no version, not a binding error.
        int? number = version is null ? null
            : int.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : -1;
        if (await evidence.VersionAsync(space.Id, id, number, context.RequestAborted) is not var (found, storedId)
            || await files.FindAttachmentAsync(space.Id, storedId, context.RequestAborted) is null
            || await files.OpenReadAsync(storedId, context.RequestAborted) is not var (record, content))
        {
            return Results.NotFound();
        }

        try
        {
            // Before the first byte leaves, in its own transaction: a download that cannot be audited does not happen.
            await audit.RecordNowAsync(new(EvidenceEvents.EvidenceDownloaded, actor.Actor, EvidenceNames.Target(id), Details: new Dictionary<string, string>
            {
                ["space"] = space.Id.ToString(),
                ["version"] = found.Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }), context.RequestAborted);
        }
        catch
        {
            await content.DisposeAsync();
            throw;
        }

        return Results.File(content, record.ContentType, FileNames.Clean(record.FileName),
            lastModified: record.CreatedAt, entityTag: new EntityTagHeaderValue($"\"{record.Id:N}\""), enableRangeProcessing: true);
    }
}
