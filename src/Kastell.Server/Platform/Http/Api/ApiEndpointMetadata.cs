using Microsoft.AspNetCore.Http.HttpResults;

namespace Kastell.Server.Platform.Http.Api;

/// <summary>How API endpoints declare their error answers for the OpenAPI document (a test demands them on every endpoint).</summary>
public static class ApiEndpointMetadata
{
    /// <summary>The errors every API endpoint can answer (problem details), plus the endpoint's own.</summary>
    public static readonly int[] Common =
    [
        StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound,
        StatusCodes.Status429TooManyRequests, StatusCodes.Status500InternalServerError,
    ];

    public static RouteHandlerBuilder ProducesApiErrors(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in Common.Concat(statuses).Distinct())
        {
            builder.ProducesProblem(status);
        }

        return builder;
    }
}
