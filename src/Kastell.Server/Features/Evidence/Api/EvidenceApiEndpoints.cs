using System.Text.Json;
using Kastell.Server.Features.Evidence.Browse;
using Kastell.Server.Features.Evidence.Review;
using Kastell.Server.Features.Evidence.Submit;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Http.Api;
using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Features.Evidence.Api;

/// <summary>An evidence item as the API shows it (dates as <c>yyyy-MM-dd</c>).</summary>
public sealed record EvidenceResource(Guid Id, EvidenceKind Kind, string Title, string? Url, string Note, DateOnly? EffectiveOn, DateOnly? ObservedFrom, DateOnly? ObservedTo,
    DateOnly? ValidUntil, EvidenceState State, IReadOnlyList<Guid> Controls, IReadOnlyList<Guid> Assets, int Versions, string? ReviewComment, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>An evidence item in a list.</summary>
public sealed record EvidenceSummaryResource(Guid Id, EvidenceKind Kind, string Title, EvidenceState State, DateOnly? EffectiveOn, DateOnly? ObservedFrom, DateOnly? ObservedTo,
    DateOnly? ValidUntil);

/// <summary>A link or a note as a client submits it (files through the pages' upload form).</summary>
public sealed record EvidenceBody(EvidenceKind Kind, string Title, string? Url = null, string? Note = null, DateOnly? EffectiveOn = null, DateOnly? ObservedFrom = null,
    DateOnly? ObservedTo = null, DateOnly? ValidUntil = null, IReadOnlyList<Guid>? Controls = null, IReadOnlyList<Guid>? Assets = null)
{
    public EvidenceInput ToInput() => new(Kind.ToString(), Title, Url, Note, Date(EffectiveOn), Date(ObservedFrom), Date(ObservedTo), Date(ValidUntil),
        [.. (Controls ?? []).Select(c => c.ToString("D"))], [.. (Assets ?? []).Select(a => a.ToString("D"))]);

    private static string? Date(DateOnly? day) => day?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A review as a client sends it: <c>accept</c> or <c>reject</c> (with a comment).</summary>
public sealed record ReviewBody(string Decision, string? Comment = null);

/// <summary>
/// <c>/api/v1/o/{org}/s/{space}/evidence</c>: list (cursor-paged in creation order, only what the caller may read
/// by the visibility rule), read, submit a link or a note (Idempotency-Key), review (If-Match with the ETag read:
/// 412 when the item changed meanwhile, 428 without). Same permissions as the pages; an item the caller may not read,
/// or of another Space or organization, is a 404 like a missing one.
/// </summary>
internal static class EvidenceApiEndpoints
{
    public static void Map(RouteGroupBuilder space)
    {
        space.MapGet("/evidence", ListAsync).WithTags("Evidence").RequirePermission("space", "can_read_evidence").ReadOnly().WithName("ApiListEvidence")
            .Produces<ApiPage<EvidenceSummaryResource>>().ProducesApiErrors(StatusCodes.Status400BadRequest);
        space.MapPost("/evidence", CreateAsync).Accepts<EvidenceBody>("application/json").WithTags("Evidence").RequirePermission("space", "can_add_evidence").WithName("ApiCreateEvidence")
            .Produces<EvidenceResource>(StatusCodes.Status201Created)
            .ProducesApiErrors(StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status422UnprocessableEntity);
        space.MapGet("/evidence/{id:guid}", GetAsync).WithTags("Evidence").RequirePermission("evidence", "can_read").ReadOnly().WithName("ApiGetEvidence")
            .Produces<EvidenceResource>().ProducesApiErrors();
        space.MapPost("/evidence/{id:guid}/review", ReviewAsync).Accepts<ReviewBody>("application/json").WithTags("Evidence").RequirePermission("evidence", "can_review")
            .WithName("ApiReviewEvidence").Produces<EvidenceResource>()
            .ProducesApiErrors(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status413PayloadTooLarge,
                StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status428PreconditionRequired);
    }

    private static async Task<IResult> ListAsync(string? cursor, string? limit, HttpContext context, Tenant tenant, EvidenceQueries evidence)
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

        var rows = await evidence.PageAsync(tenant.RequireSpace().Id, after, take + 1, context.RequestAborted);
        return TypedResults.Ok(ApiPaging.Page(rows, take,
            r => new EvidenceSummaryResource(r.Id, r.Kind, r.Title, r.State, r.EffectiveOn, r.ObservedFrom, r.ObservedTo, r.ValidUntil),
            r => ApiPaging.Cursor(r.Id)));
    }

    private static async Task<IResult> GetAsync(Guid id, HttpContext context, Tenant tenant, EvidenceQueries evidence)
    {
        if (await evidence.FindAsync(tenant.RequireSpace().Id, id, context.RequestAborted) is not { } detail)
        {
            return Failures.NotFound.ToProblem(context);
        }

        context.Response.Headers.ETag = ETag(context, detail.Item);
        return TypedResults.Ok(Resource(detail));
    }

    private static async Task<IResult> CreateAsync(HttpContext context, Tenant tenant, SubmitEvidenceCommand submit, EvidenceQueries evidence, Idempotency idempotency)
    {
        var (body, failure, detail) = await ApiBody.ReadAsync<EvidenceBody>(context);
        if (body is null)
        {
            return failure!.ToProblem(context, detail);
        }

        return await idempotency.RunAsync(context, JsonSerializer.Serialize(body), async () =>
        {
            // A file needs its content: the API takes links and notes (kind File is refused like a file form without its file).
            var result = await submit.ExecuteAsync(body.ToInput(), cancellationToken: context.RequestAborted);
            if (result.Value is not { } item)
            {
                return result.Failure!.ToProblem(context);
            }

            var created = (await evidence.WrittenAsync(item.SpaceId, item.Id, context.RequestAborted))!;
            context.Response.Headers.ETag = ETag(context, created.Item);
            return TypedResults.Created($"{TenantRoutes.ApiPrefix}{EvidenceEndpoints.Path(tenant, $"/evidence/{item.Id:D}")}", Resource(created));
        });
    }

    private static async Task<IResult> ReviewAsync(Guid id, HttpContext context, Tenant tenant, ReviewEvidenceCommand review, EvidenceQueries evidence)
    {
        if (ApiETags.IfMatch(context.Request) is not { } ifMatch)
        {
            return ApiErrors.PreconditionRequired.ToProblem(context);
        }

        var (body, failure, detail) = await ApiBody.ReadAsync<ReviewBody>(context);
        if (body is null)
        {
            return failure!.ToProblem(context, detail);
        }

        var result = await review.ExecuteAsync(id, body.Decision, body.Comment, stored => ApiETags.Matches(ifMatch, ETag(context, stored)), context.RequestAborted);
        if (!result.Succeeded)
        {
            return result.Failure!.ToProblem(context);
        }

        var reviewed = (await evidence.WrittenAsync(tenant.RequireSpace().Id, id, context.RequestAborted))!;
        context.Response.Headers.ETag = ETag(context, reviewed.Item);
        return TypedResults.Ok(Resource(reviewed));
    }

    /// <summary>The ETag of the item's state as a review sees it.</summary>
    private static string ETag(HttpContext context, EvidenceItem item) =>
        ApiETags.Of(context, new { item.Id, item.Title, State = item.State.ToString(), item.UpdatedAt });

    private static EvidenceResource Resource(EvidenceDetail detail)
    {
        var item = detail.Item;
        return new EvidenceResource(item.Id, item.Kind, item.Title, item.Kind == EvidenceKind.Link ? item.Url : null, item.Note, item.EffectiveOn, item.ObservedFrom,
            item.ObservedTo, item.ValidUntil, item.State, [.. detail.Controls.Select(c => c.Id)], [.. detail.Assets.Select(a => a.Id)], detail.Versions.Count,
            item.State == EvidenceState.Submitted ? null : item.ReviewComment, item.CreatedAt, item.UpdatedAt);
    }
}
