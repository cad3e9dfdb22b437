using System.Threading.RateLimiting;
using Kastell.Server.Platform.Hosting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Security;

/// <summary>
/// Per-IP limits on everything that checks a secret (sign-in, MFA, recovery, reset, sign-up, single sign-on): a fixed window per
/// client address (as forwarded by a trusted proxy only). The sign-in throttle limits guessing per account; this limits
/// spraying across accounts.
/// </summary>
internal static class RateLimiting
{
    public static IServiceCollection AddKastellRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddKastellOptions<RateLimitOptions, RateLimitOptionsValidator>(configuration, RateLimitOptions.Section);
        services.AddScoped<RateBudgets>();
        // The limiter is configured from the validated settings, so its options take them as a dependency.
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((o, limits) =>
        {
            var permits = limits.Value.AuthenticationPerMinute;
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // When to come back, for the client and for the status page that tells the user (in seconds, RFC 9110).
            o.OnRejected = (rejected, _) =>
            {
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    rejected.HttpContext.Response.Headers.RetryAfter =
                        Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                return ValueTask.CompletedTask;
            };
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (!IsSecretCheckingRequest(context.Request))
                {
                    return RateLimitPartition.GetNoLimiter("unlimited");
                }

                var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = permits,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
        });
        return services;
    }

    private static bool IsSecretCheckingRequest(HttpRequest request) =>
        (HttpMethods.IsPost(request.Method)
            && (request.Path.StartsWithSegments("/account", StringComparison.OrdinalIgnoreCase)
                || request.Path.StartsWithSegments("/invitations", StringComparison.OrdinalIgnoreCase)))
        // Single sign-on's start, callbacks and completion, whatever the method: anonymous, and each one audited.
        || request.Path.StartsWithSegments("/sso", StringComparison.OrdinalIgnoreCase);
}
