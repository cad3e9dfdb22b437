using System.Globalization;
using System.Threading.RateLimiting;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Identity.Tokens;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Features;

namespace Kastell.Server.Platform.Http.Api;

/// <summary>
/// Authentication of API requests, in place of the session cookie's (which never runs for <c>/api/</c>): the bearer
/// token, or nothing. A request without a valid token is refused with 401 before anything else runs, unless its
/// endpoint is public (the OpenAPI document). Then the token's and its organization's rate limits, the JSON body
/// limit, and the audit of the use: each request made with a token is recorded, the token as the actor, before its
/// response starts (a use that cannot be audited is not answered).
/// </summary>
internal sealed class ApiAuthenticationMiddleware(RequestDelegate next, ApiRateLimits limits, TenantScopes scopes)
{
    /// <summary>JSON bodies are small; the upload endpoint raises this for its own requests.</summary>
    public const long MaxJsonBodyBytes = 64 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        // A token in a URL ends up in logs, proxies and browser history: refused before it is even looked at.
        if (context.Request.Query.Any(q => q.Value.Any(ApiTokenSecret.LooksLikeToken)))
        {
            await ApiErrorsMiddleware.WriteAsync(context, ApiErrors.TokenInQuery, "Send the token in the Authorization header (Bearer), never in the URL.");
            return;
        }

        var result = await context.AuthenticateAsync(ApiTokenAuthenticationHandler.SchemeName);
        if (!result.Succeeded || context.Features.Get<ApiTokenGrant>() is not { } grant)
        {
            if (result.Failure is null && context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            {
                await next(context);
                return;
            }

            context.Response.Headers.WWWAuthenticate = result.Failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
            await ApiErrorsMiddleware.WriteAsync(context, ApiErrors.Unauthenticated, null);
            return;
        }

        context.User = result.Principal!;
        using var lease = limits.Acquire(grant);
        if (!lease.IsAcquired)
        {
            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await ApiErrorsMiddleware.WriteAsync(context, ApiErrors.RateLimited, null);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } body)
        {
            body.MaxRequestBodySize = MaxJsonBodyBytes;
        }

        context.Response.OnStarting(() => RecordUseAsync(context, grant));
        await next(context);
    }

    private async Task RecordUseAsync(HttpContext context, ApiTokenGrant grant)
    {
        var endpoint = context.GetEndpoint();
        var tenant = context.RequestServices.GetRequiredService<Tenant>();
        var details = new Dictionary<string, string>
        {
            ["method"] = context.Request.Method,
            ["endpoint"] = endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "none",
            ["status"] = context.Response.StatusCode.ToString(CultureInfo.InvariantCulture),
        };
        var actor = AuditActor.ApiToken(grant.TokenId);
        await using var scope = scopes.Enter(grant.OrganizationId, actor, tenant.OrganizationId == grant.OrganizationId ? tenant.SpaceId : null);
        await scope.Get<IAuditLog>().RecordNowAsync(new(ApiTokenEvents.ApiTokenUsed, actor, new AuditTarget("api_token", grant.TokenId.ToString()),
            context.Response.StatusCode < 400 ? AuditOutcome.Succeeded : context.Response.StatusCode is 401 or 403 or 404 ? AuditOutcome.Denied : AuditOutcome.Failed,
            details), CancellationToken.None);
    }
}

/// <summary>Per token and per organization: fixed one-minute windows, both must have room (<see cref="ApiOptions"/>).</summary>
internal sealed class ApiRateLimits : IDisposable
{
    private readonly PartitionedRateLimiter<ApiTokenGrant> _limiter;

    public ApiRateLimits(Microsoft.Extensions.Options.IOptions<ApiOptions> options)
    {
        var perToken = options.Value.RequestsPerMinutePerToken;
        var perOrganization = options.Value.RequestsPerMinutePerOrganization;
        _limiter = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<ApiTokenGrant, Guid>(g => RateLimitPartition.GetFixedWindowLimiter(g.TokenId, _ => Window(perToken))),
            PartitionedRateLimiter.Create<ApiTokenGrant, Guid>(g => RateLimitPartition.GetFixedWindowLimiter(g.OrganizationId, _ => Window(perOrganization))));
    }

    public RateLimitLease Acquire(ApiTokenGrant grant) => _limiter.AttemptAcquire(grant);

    public void Dispose() => _limiter.Dispose();

    private static FixedWindowRateLimiterOptions Window(int permits) => new()
    {
        PermitLimit = permits,
        Window = TimeSpan.FromMinutes(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
