using System.Security.Cryptography;
using Kastell.Server.Features.Assets.Import;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Http.Api;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Localization;

namespace Kastell.Server.Features.Assets.Api;

/// <summary>What an import created (or, with <c>dryRun</c>, would create): the assets' ids in the file's order.</summary>
public sealed record AssetImportResource(bool Imported, int Assets, int Dependencies, IReadOnlyList<Guid> Ids);

/// <summary>A row the import refused: its number in the file (the header is row 1), the column to blame if any, and why.</summary>
public sealed record AssetImportProblemResource(int Row, string? Column, string Problem, string? Value);

/// <summary>
/// <c>POST /api/v1/o/{org}/s/{space}/assets/import</c>: the body is the CSV or XLSX file itself, the same file the
/// import page reads, checked and imported all or nothing by the same command. <c>?dryRun=true</c> checks and
/// changes nothing (the ids shown are not kept). Bad rows answer 422 with every problem listed under
/// <c>problems</c>. An Idempotency-Key binds the file's SHA-256.
/// </summary>
internal static class AssetImportApiEndpoint
{
    private static readonly string[] MediaTypes = ["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream"];

    public static void Map(RouteGroupBuilder space) =>
        space.MapPost("/assets/import", ImportAsync).WithTags("Assets").RequirePermission("space", "can_edit_assets").WithName("ApiImportAssets")
            .Accepts<byte[]>("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream")
            .Produces<AssetImportResource>()
            .ProducesApiErrors(StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status422UnprocessableEntity);

    private static async Task<IResult> ImportAsync(string? dryRun, HttpContext context, ImportAssetsCommand import, Idempotency idempotency, IStringLocalizer<Strings> strings)
    {
        if (dryRun is not (null or "true" or "false"))
        {
            return ApiErrors.InvalidRequest.ToProblem(context, "dryRun is true or false.");
        }

        if (context.Request.ContentType is not { } type || !MediaTypes.Any(m => type.StartsWith(m, StringComparison.OrdinalIgnoreCase)))
        {
            return ApiErrors.UnsupportedMediaType.ToProblem(context, "Send the file itself as the body: text/csv, an XLSX workbook or application/octet-stream.");
        }

        if (await ReadAsync(context) is not { } content)
        {
            return AssetsErrors.ImportFileTooLarge.ToProblem(context);
        }

        if (dryRun == "true")
        {
            return Answer(context, await import.PreviewAsync(content, context.RequestAborted), imported: false, strings);
        }

        return await idempotency.RunAsync(context, "import|" + Convert.ToHexStringLower(SHA256.HashData(content)), async () =>
            Answer(context, await import.ExecuteAsync(content, "api", context.RequestAborted), imported: true, strings));
    }

    private static IResult Answer(HttpContext context, ImportOutcome outcome, bool imported, IStringLocalizer<Strings> strings)
    {
        if (outcome.Plan is { } plan)
        {
            return TypedResults.Ok(new AssetImportResource(imported, plan.Assets.Count, plan.Dependencies, [.. plan.Assets.Select(a => a.Id)]));
        }

        var failure = outcome.Failure!;
        if (outcome.Problems.Count == 0)
        {
            return failure.ToProblem(context);
        }

        return TypedResults.Problem(
            title: strings[failure.TextKey],
            statusCode: failure.Status,
            type: FailureResults.TypeBase + failure.Code,
            extensions: new Dictionary<string, object?>
            {
                ["code"] = failure.Code,
                ["problems"] = outcome.Problems.Select(p => new AssetImportProblemResource(p.Row, p.Column, strings[p.TextKey], p.Value)).ToList(),
            });
    }

    /// <summary>The body, or null when it is larger than an import reads.</summary>
    private static async Task<byte[]?> ReadAsync(HttpContext context)
    {
        if (context.Request.ContentLength > Sheet.MaxBytes)
        {
            return null;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = Sheet.MaxBytes + 1;
        }

        try
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > Sheet.MaxBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
        catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
    }
}
