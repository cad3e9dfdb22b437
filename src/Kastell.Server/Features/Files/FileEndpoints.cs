using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Security;
using Kastell.Server.Platform.Storage;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Kastell.Server.Features.Files;

/// <summary>
/// Upload, download and delete of a Space's files. The tenant middleware has already answered 404 for an
/// organization or Space the caller cannot enter; a file id of another Space or organization answers the same 404
/// as one that does not exist (the queries are scoped to the request's organization and to the route's Space).
/// </summary>
internal static class FileEndpoints
{
    /// <summary>Room for the multipart envelope around the file (boundaries, part headers, the antiforgery token).</summary>
    public const long MultipartAllowanceBytes = 64 * 1024;

    private const int MaxAuditedRangeLength = 100;

    public static void Map(RouteGroupBuilder space)
    {
        // No antiforgery metadata: the middleware would read (and buffer) the whole form to find the token.
        // MultipartUpload validates the token itself, from the first section, before the file is read.
        // Its own path: the page's route answers posts too (server-rendered forms), which would make the match ambiguous.
        space.MapPost("/files/upload", UploadAsync)
            .RequireAuthorization()
            .RequirePermission("space", "can_upload")
            .DisableAntiforgery()
            .WithName("UploadFile");
        space.MapGet("/files/{id:guid}", DownloadAsync)
            .RequireAuthorization()
            .RequirePermission("file", "can_read")
            .WithName("DownloadFile");
        space.MapPost("/files/{id:guid}/delete", DeleteAsync)
            .RequireAuthorization()
            .RequirePermission("file", "can_delete", auditAllow: true)
            .RequireValidAntiforgeryToken()
            .WithName("DeleteFile");
    }

    internal static string PagePath(Tenant tenant) => TenantRoutes.SpacePath(tenant.RequireOrganization(), tenant.RequireSpace(), "/files");

    private static async Task<IResult> UploadAsync(
        HttpContext context, CurrentActor actor, Tenant tenant, Uploads uploads,
        IAntiforgery antiforgery, IOptions<AntiforgeryOptions> antiforgeryOptions)
    {
        var space = tenant.RequireSpace();
        // Aligned with the upload limit (Kestrel's default for every other request is far smaller).
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = uploads.MaxBytes + MultipartAllowanceBytes;
        }

        try
        {
            var file = await new MultipartUpload(context, antiforgery, antiforgeryOptions).OpenFileAsync(context.RequestAborted);
            if (file is null)
            {
                // A browser's form post: the bare status, which the status pages render in the user's language.
                return Results.StatusCode(StatusCodes.Status400BadRequest);
            }

            var result = await uploads.UploadAsync(space.Id, FileNames.Clean(MultipartUpload.ClientFileName(file)), file.Body, actor.Actor, context.RequestAborted);
            return Results.LocalRedirect($"{PagePath(tenant)}?upload={UploadMessages.Key(result.Outcome)}");
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // The body outgrew the request limit before the file's own limit was reached (more than one file, say).
            // The page's own message, as for a file over the limit that fitted the request: not a raw error document.
            await uploads.RefusedAsync(space.Id, null, UploadOutcome.TooLarge, actor.Actor, CancellationToken.None);
            return Results.LocalRedirect($"{PagePath(tenant)}?upload={UploadMessages.Key(UploadOutcome.TooLarge)}");
        }
    }

    private static async Task<IResult> DownloadAsync(Guid id, HttpContext context, CurrentActor actor, Tenant tenant, SpaceFiles files, IAuditLog audit)
    {
        // The permission is checked (can_read on the file); the query also keeps to the route's Space, so a file of
        // another Space answers 404 through this address.
        if (await files.OpenReadAsync(tenant.RequireSpace().Id, id, context.RequestAborted) is not var (record, content))
        {
            return Results.NotFound();
        }

        try
        {
            var details = new Dictionary<string, string>
            {
                ["space"] = record.SpaceId.ToString(),
                ["size"] = record.Size.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            if (context.Request.Headers.Range.ToString() is { Length: > 0 } range)
            {
                details["range"] = range.Length <= MaxAuditedRangeLength ? range : range[..MaxAuditedRangeLength];
            }

            // Before the first byte leaves, in its own transaction: a download that cannot be audited does not happen.
            await audit.RecordNowAsync(new(FileEvents.FileDownloaded, actor.Actor, new AuditTarget("file", record.Id.ToString()), Details: details), context.RequestAborted);
        }
        catch
        {
            await content.DisposeAsync();
            throw;
        }

        // Files never change, so the id is a strong validator for If-Range. nosniff is on every response
        // (SecurityHeadersMiddleware); the type is the one detected from the bytes at upload, never the client's.
        return Results.File(content, record.ContentType, FileNames.Clean(record.FileName),
            lastModified: record.CreatedAt, entityTag: new EntityTagHeaderValue($"\"{record.Id:N}\""), enableRangeProcessing: true);
    }

    private static async Task<IResult> DeleteAsync(Guid id, HttpContext context, CurrentActor actor, Tenant tenant, SpaceFiles files)
    {
        var space = tenant.RequireSpace();
        var deletion = new AuditEntry(FileEvents.FileDeleted, actor.Actor, new AuditTarget("file", id.ToString()),
            Details: new Dictionary<string, string> { ["space"] = space.Id.ToString() });
        if (!await files.DeleteAsync(space.Id, id, deletion, context.RequestAborted))
        {
            return Results.NotFound();
        }

        return Results.LocalRedirect($"{PagePath(tenant)}?deleted=1");
    }
}

/// <summary>The upload outcomes as they travel to the page in the query string, and their texts.</summary>
internal static class UploadMessages
{
    public static string Key(UploadOutcome outcome) => outcome switch
    {
        UploadOutcome.Accepted => "accepted",
        UploadOutcome.Quarantined => "quarantined",
        UploadOutcome.TooLarge => "too-large",
        UploadOutcome.UnsupportedType => "unsupported-type",
        UploadOutcome.Infected => "infected",
        UploadOutcome.Empty => "empty",
        _ => "failed",
    };

    /// <summary>
    /// The resource key of the message for a query value and how it is shown (<c>success</c>, <c>warning</c> or
    /// <c>error</c>, also the alert's class), or null for anything else (the query is client input). A quarantined
    /// upload is a warning, not a success: nobody can download it until a scanner has checked it.
    /// </summary>
    public static (string Text, string Kind)? Message(string? key) => key switch
    {
        "accepted" => ("FileUploadAccepted", "success"),
        "quarantined" => ("FileUploadQuarantined", "warning"),
        "too-large" => ("FileUploadTooLarge", "error"),
        "unsupported-type" => ("FileUploadUnsupportedType", "error"),
        "infected" => ("FileUploadInfected", "error"),
        "empty" => ("FileUploadEmpty", "error"),
        _ => null,
    };
}
