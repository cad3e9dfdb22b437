using Kastell.Server.Platform.Audit;
using Microsoft.OpenApi;

namespace Kastell.Server.Platform.Http.Api;

/// <summary>
/// The OpenAPI 3.1 document of <c>/api/v1</c>, generated from the endpoints (Microsoft.AspNetCore.OpenApi): every
/// endpoint with its parameters, bodies and problem-details answers, and the bearer scheme. Served to anyone at
/// <see cref="Path"/> (it describes the API, it holds no data); a copy lives in <c>docs/api/openapi.json</c>, and a test
/// fails when the two drift apart or when an endpoint is missing or lacks its error answers.
/// </summary>
internal static class ApiDocument
{
    public const string Name = "v1";
    public const string Path = "/api/v1/openapi.json";
    public const string SecurityScheme = "bearer";

    public static IServiceCollection AddKastellApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(Name, o =>
        {
            o.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            o.ShouldInclude = d => d.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true;
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Kastell API",
                    Version = "v1",
                    Description = "The HTTP API of Kastell. Authenticate with a personal access token (kastell_pat_…) or a service account's token (kastell_sat_…) in the Authorization header: `Authorization: Bearer <token>`. Session cookies are never accepted. Every error is RFC 9457 problem details with a stable `code` (docs/error-codes.md).",
                };
                // A server-relative document: the same file describes every deployment.
                document.Servers = [new OpenApiServer { Url = "/" }];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    [SecurityScheme] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.Http,
                        Scheme = "bearer",
                        BearerFormat = "kastell_pat_… or kastell_sat_…",
                        Description = "A personal access token or a service account's token, shown once when it is created.",
                    },
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecurityScheme, document)] = [] }];
                return Task.CompletedTask;
            });
        });

    /// <summary>Serves the document to anyone, as JSON, read-only.</summary>
    public static void MapKastellApiDocument(this IEndpointRouteBuilder app) =>
        app.MapOpenApi(Path).AllowAnonymous().ReadOnly().WithName("ApiOpenApiDocument");
}
