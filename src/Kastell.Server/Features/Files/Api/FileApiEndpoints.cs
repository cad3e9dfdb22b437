using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Http.Api;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Storage;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Kastell.Server.Features.Files.Api;

/// <summary>A file as the API shows it: never its key or hash.</summary>
public sealed record FileResource(Guid Id, string Name, long Size, string ContentType, string Status, DateTimeOffset CreatedAt);

/// <summary>
/// <c>/api/v1/o/{org}/s/{space}/files</c>: list (cursor-paged, newest first), upload (the request body is the file,
/// streamed through the same encryption, type detection and malware scan as the page's upload), metadata, content
/// (streamed, ranges, audited before the first byte) and delete. Same permissions as the pages; a file of another
/// Space or organization is a 404 like a missing one.
/// </summary>
internal static class FileApiEndpoints
{
    public static void Map(RouteGroupBuilder space)
    {
        var files = space;
        files.MapGet("/files", ListAsync).WithTags("Files").RequirePermission("space", "can_read").ReadOnly().WithName("ApiListFiles").Produces<ApiPage<FileResource>>()
            .ProducesApiErrors(StatusCodes.Status400BadRequest);
        files.MapPost("/files", UploadAsync).WithTags("Files").RequirePermission("space", "can_upload").WithName("ApiUploadFile").Produces<FileResource>(StatusCodes.Status201Created).Produces<FileResource>(StatusCodes.Status202Accepted)
            .Accepts<Stream>("application/octet-stream")
            .ProducesApiErrors(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status422UnprocessableEntity);
        files.MapGet("/files/{id:guid}", GetAsync).WithTags("Files").RequirePermission("file", "can_read").ReadOnly().WithName("ApiGetFile").Produces<FileResource>().ProducesApiErrors();
        files.MapGet("/files/{id:guid}/content", DownloadAsync).WithTags("Files").RequirePermission("file", "can_read").WithName("ApiDownloadFile")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream").ProducesApiErrors();
        files.MapDelete("/files/{id:guid}", DeleteAsync).WithTags("Files").RequirePermission("file", "can_delete", auditAllow: true).WithName("ApiDeleteFile").Produces(StatusCodes.Status204NoContent).ProducesApiErrors();
    }

    private static async Task<IResult> ListAsync(string? cursor, string? limit, HttpContext context, Tenant tenant, SpaceFiles files)
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

        var rows = await files.PageAsync(tenant.RequireSpace().Id, after, take + 1, context.RequestAborted);
        return TypedResults.Ok(ApiPaging.Page(rows, take, Resource, f => ApiPaging.Cursor(f.Id)));
    }

    private static async Task<IResult> GetAsync(Guid id, HttpContext context, Tenant tenant, SpaceFiles files) =>
        await files.FindAsync(tenant.RequireSpace().Id, id, context.RequestAborted) is { } file
            ? TypedResults.Ok(Resource(file))
            : Failures.NotFound.ToProblem(context);

    private static async Task<IResult> UploadAsync(string? name, HttpContext context, CurrentActor actor, Tenant tenant, Uploads uploads, Idempotency idempotency)
    {
        var space = tenant.RequireSpace();
        if (string.IsNullOrWhiteSpace(name) || name.Length > 255)
        {
            return ApiErrors.InvalidRequest.ToProblem(context, "Give the file's name in the query: ?name=evidence.pdf (1 to 255 characters).");
        }

        if (context.Request.ContentType is not { } type || !type.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase))
        {
            return ApiErrors.UnsupportedMediaType.ToProblem(context, "Send the file itself as the body, Content-Type: application/octet-stream.");
        }

        // The body is the file: nothing to buffer, so the key binds the request by its name, length and Space.
        return await idempotency.RunAsync(context, $"upload|{space.Id}|{name}|{context.Request.ContentLength}", async () =>
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = uploads.MaxBytes + 1;
            }

            UploadResult result;
            try
            {
                result = await uploads.UploadAsync(space.Id, FileNames.Clean(name), context.Request.Body, actor.Actor, context.RequestAborted);
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                result = await uploads.RefusedAsync(space.Id, null, UploadOutcome.TooLarge, actor.Actor, CancellationToken.None);
            }

            return result.Outcome switch
            {
                UploadOutcome.Accepted => TypedResults.Created(Location(tenant, result.File!.Id), Resource(result.File)),
                UploadOutcome.Quarantined => TypedResults.Accepted(Location(tenant, result.File!.Id), Resource(result.File)),
                UploadOutcome.TooLarge => FilesApiErrors.TooLarge.ToProblem(context),
                UploadOutcome.UnsupportedType => FilesApiErrors.UnsupportedType.ToProblem(context),
                UploadOutcome.Infected => FilesApiErrors.Infected.ToProblem(context),
                UploadOutcome.Empty => FilesApiErrors.Empty.ToProblem(context),
                _ => ApiErrors.InternalError.ToProblem(context),
            };
        });
    }

    private static async Task<IResult> DownloadAsync(Guid id, HttpContext context, CurrentActor actor, Tenant tenant, SpaceFiles files, IAuditLog audit)
    {
        if (await files.OpenReadAsync(tenant.RequireSpace().Id, id, context.RequestAborted) is not var (record, content))
        {
            return Failures.NotFound.ToProblem(context);
        }

        try
        {
            await audit.RecordNowAsync(new(FileEvents.FileDownloaded, actor.Actor, new AuditTarget("file", record.Id.ToString()),
                Details: new Dictionary<string, string> { ["space"] = record.SpaceId.ToString(), ["size"] = record.Size.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
                context.RequestAborted);
        }
        catch
        {
            await content.DisposeAsync();
            throw;
        }

        return Results.File(content, record.ContentType, FileNames.Clean(record.FileName),
            lastModified: record.CreatedAt, entityTag: new EntityTagHeaderValue($"\"{record.Id:N}\""), enableRangeProcessing: true);
    }

    private static async Task<IResult> DeleteAsync(Guid id, HttpContext context, CurrentActor actor, Tenant tenant, SpaceFiles files)
    {
        var space = tenant.RequireSpace();
        var deletion = new AuditEntry(FileEvents.FileDeleted, actor.Actor, new AuditTarget("file", id.ToString()),
            Details: new Dictionary<string, string> { ["space"] = space.Id.ToString() });
        return await files.DeleteAsync(space.Id, id, deletion, context.RequestAborted) ? TypedResults.NoContent() : Failures.NotFound.ToProblem(context);
    }

    private static FileResource Resource(StoredObject f) =>
        new(f.Id, FileNames.Clean(f.FileName), f.Size, f.ContentType, f.Status == StoredObjectStatus.Available ? "available" : "quarantined", f.CreatedAt);

    private static string Location(Tenant tenant, Guid id) =>
        $"{TenantRoutes.ApiPrefix}{TenantRoutes.SpacePath(tenant.RequireOrganization(), tenant.RequireSpace(), $"/files/{id}")}";
}

/// <summary>Why the API refused an upload (codes in docs/error-codes.md).</summary>
internal static class FilesApiErrors
{
    public static readonly Failure TooLarge = new("file.too-large", StatusCodes.Status413PayloadTooLarge, "ApiFileTooLarge");

    public static readonly Failure UnsupportedType = new("file.unsupported-type", StatusCodes.Status415UnsupportedMediaType, "FileUploadUnsupportedType");

    public static readonly Failure Infected = new("file.infected", StatusCodes.Status422UnprocessableEntity, "FileUploadInfected");

    public static readonly Failure Empty = new("file.empty", StatusCodes.Status400BadRequest, "FileUploadEmpty");
}
