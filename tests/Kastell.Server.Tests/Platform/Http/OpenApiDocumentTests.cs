using System.Net;
using System.Text.Json;
using Kastell.Server.Tests.Architecture;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Kastell.Server.Tests.Platform.Http;

/// <summary>
/// The OpenAPI document is valid OpenAPI 3.1, describes every /api/v1 endpoint (found in the endpoint data source, not
/// listed by hand) with its method and its problem-details answers (401, 403, 404, 429, 500 at least), and equals the
/// copy in docs/api/openapi.json, so a change to the API shows in review and CI fails on drift. To accept a change,
/// run this class with KASTELL_UPDATE_OPENAPI=1, which rewrites the copy.
/// </summary>
public sealed class OpenApiDocumentTests(SqliteHost host) : IClassFixture<SqliteHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] RequiredErrors = ["401", "403", "404", "429", "500"];

    private static string CopyPath => Path.Combine(ArchitectureTests.RepositoryRoot(), "docs", "api", "openapi.json");

    [Fact]
    public async Task TheDocument_IsValidOpenApi31_AndHasEveryApiEndpointWithItsErrors()
    {
        var (document, diagnostic) = Parse(await ServedAsync());
        Assert.Empty(diagnostic.Errors);
        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, diagnostic.SpecificationVersion);
        Assert.Empty(document.Validate(ValidationRuleSet.GetDefaultRuleSet()) ?? []);
        Assert.Contains("bearer", document.Components!.SecuritySchemes!.Keys);

        var endpoints = ApiEndpoints().ToList();
        Assert.True(endpoints.Count >= 15, $"only {endpoints.Count} API endpoints found");
        Assert.Empty(Problems(document, endpoints));
    }

    [Fact]
    public async Task TheCommittedCopy_MatchesTheServedDocument()
    {
        var served = Normalize(await ServedAsync());
        if (Environment.GetEnvironmentVariable("KASTELL_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(CopyPath, served, Ct);
        }

        Assert.True(File.Exists(CopyPath), "docs/api/openapi.json is missing: run OpenApiDocumentTests with KASTELL_UPDATE_OPENAPI=1.");
        Assert.True(served == await File.ReadAllTextAsync(CopyPath, Ct),
            "docs/api/openapi.json differs from the document the API serves: review the change, then run OpenApiDocumentTests with KASTELL_UPDATE_OPENAPI=1.");
    }

    [Fact]
    public void TheCheck_ReportsAMissingEndpoint_AndAnOperationWithoutItsErrors()
    {
        var (document, _) = Parse("""
            {"openapi":"3.1.1","info":{"title":"t","version":"1"},"paths":{"/api/v1/o/{org}/things":{"get":{"responses":{"200":{"description":"ok"}}}}}}
            """);
        var problems = Problems(document, [("GET", "/api/v1/o/{org}/things"), ("DELETE", "/api/v1/o/{org}/things/{id}")]);
        Assert.Contains(problems, p => p.StartsWith("GET /api/v1/o/{org}/things lacks its 401", StringComparison.Ordinal));
        Assert.Contains("DELETE /api/v1/o/{org}/things/{id} is missing from the document", problems);
    }

    [Fact]
    public async Task TheDocument_IsServedToAnyone_WithTheStrictHeaders()
    {
        using var client = host.CreateClient(new() { BaseAddress = new Uri("https://localhost") });
        var response = await client.GetAsync("/api/v1/openapi.json", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    private static List<string> Problems(OpenApiDocument document, IEnumerable<(string Method, string Route)> endpoints)
    {
        var problems = new List<string>();
        var paths = (document.Paths ?? []).ToDictionary(p => p.Key.TrimEnd('/'), p => p.Value, StringComparer.Ordinal);
        foreach (var (method, route) in endpoints)
        {
            if (!paths.TryGetValue(route.TrimEnd('/'), out var item) || item.Operations?.FirstOrDefault(o => string.Equals(o.Key.Method, method, StringComparison.OrdinalIgnoreCase)).Value is not { } operation)
            {
                problems.Add($"{method} {route} is missing from the document");
                continue;
            }

            if (operation.Responses?.Keys.Any(k => k.StartsWith('2')) != true)
            {
                problems.Add($"{method} {route} declares no success answer");
            }

            foreach (var status in RequiredErrors)
            {
                if (operation.Responses?.TryGetValue(status, out var response) != true || response!.Content?.ContainsKey("application/problem+json") != true)
                {
                    problems.Add($"{method} {route} lacks its {status} problem-details answer");
                }
            }
        }

        return problems;
    }

    /// <summary>Every /api/v1 endpoint but the document itself: method and path in OpenAPI's form (constraints dropped).</summary>
    private IEnumerable<(string Method, string Route)> ApiEndpoints()
    {
        foreach (var endpoint in host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var raw = endpoint.RoutePattern.RawText ?? "";
            if (!raw.StartsWith("/api/v1/", StringComparison.Ordinal) || raw == "/api/v1/openapi.json")
            {
                continue;
            }

            var path = "/" + string.Join('/', endpoint.RoutePattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
            {
                RoutePatternLiteralPart literal => literal.Content,
                RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
                RoutePatternSeparatorPart separator => separator.Content,
                _ => "",
            }))));
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
            {
                yield return (method, path);
            }
        }
    }

    private async Task<string> ServedAsync()
    {
        using var client = host.CreateClient(new() { BaseAddress = new Uri("https://localhost") });
        return await client.GetStringAsync("/api/v1/openapi.json", Ct);
    }

    private static (OpenApiDocument Document, Microsoft.OpenApi.Reader.OpenApiDiagnostic Diagnostic) Parse(string json)
    {
        var result = OpenApiDocument.Parse(json, "json");
        Assert.NotNull(result.Document);
        return (result.Document!, result.Diagnostic!);
    }

    /// <summary>Indented, with Unix line ends: a stable text to compare and to review.</summary>
    private static string Normalize(string json)
    {
        using var document = JsonDocument.Parse(json);
        return JsonSerializer.Serialize(document.RootElement, new JsonSerializerOptions { WriteIndented = true }).ReplaceLineEndings("\n") + "\n";
    }
}
