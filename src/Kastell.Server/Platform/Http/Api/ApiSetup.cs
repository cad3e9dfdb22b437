using System.Text.Json;
using System.Text.Json.Serialization;
using Kastell.Server.Platform.Hosting;
using Kastell.Server.Platform.Identity.Tokens;
using Microsoft.AspNetCore.Authentication;

namespace Kastell.Server.Platform.Http.Api;

/// <summary>The HTTP API's services and its part of the pipeline (ADR 0019).</summary>
internal static class ApiSetup
{
    /// <summary>The authorization policy of every <c>/api/v1</c> endpoint: a valid API token, nothing else.</summary>
    public const string Policy = "KastellApi";

    public static IServiceCollection AddKastellApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddKastellOptions<ApiOptions, ApiOptionsValidator>(configuration, ApiOptions.Section);
        services.AddSingleton<ApiRateLimits>();
        services.AddScoped<Idempotency>();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser());
        services.ConfigureHttpJsonOptions(o => Configure(o.SerializerOptions));
        services.AddKastellApiDocument();
        return services;
    }

    /// <summary>Strict JSON: unknown members, wrong types and missing required members are errors, never ignored.</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        options.AllowTrailingCommas = false;
        options.ReadCommentHandling = JsonCommentHandling.Disallow;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
    }

    /// <summary>
    /// Authentication for every request: the session cookie outside <c>/api/</c>, the bearer token inside it — never
    /// both, so a browser's cookies cannot make an API request (no CSRF surface).
    /// </summary>
    public static void UseKastellAuthentication(this IApplicationBuilder app)
    {
        app.UseWhen(c => !ApiRequests.IsApi(c.Request), web => web.UseAuthentication());
        app.UseWhen(c => ApiRequests.IsApi(c.Request), api => api.UseMiddleware<ApiAuthenticationMiddleware>());
    }
}
