using System.Threading.RateLimiting;

namespace Kastell.Server.Platform.Security;

/// <summary>
/// Per-IP limits on everything that checks a secret (sign-in, MFA, recovery, reset, sign-up): a fixed window per
/// client address. Account lockout limits guessing per account; this limits spraying across accounts.
/// </summary>
internal static class RateLimiting
{
    public static IServiceCollection AddKastellRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        var permits = configuration.GetValue("Kastell:RateLimits:AuthenticationPerMinute", 20);
        if (permits < 1)
        {
            throw new InvalidOperationException("Kastell:RateLimits:AuthenticationPerMinute must be at least 1.");
        }

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
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
        HttpMethods.IsPost(request.Method)
        && (request.Path.StartsWithSegments("/account", StringComparison.OrdinalIgnoreCase)
            || request.Path.StartsWithSegments("/invitations", StringComparison.OrdinalIgnoreCase));
}
