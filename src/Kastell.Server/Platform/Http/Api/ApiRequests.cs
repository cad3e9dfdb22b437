namespace Kastell.Server.Platform.Http.Api;

/// <summary>Which requests belong to the HTTP API: everything under <c>/api/</c>, authenticated by token, answered in JSON.</summary>
public static class ApiRequests
{
    public const string Prefix = "/api";

    public static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments(Prefix, StringComparison.OrdinalIgnoreCase);
}
