using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Kastell.Server.Platform.Http.Api;

/// <summary>
/// Optimistic concurrency for updates: a resource's ETag is a hash of its representation, so it changes exactly when
/// what a client read changes (no version column). An update must send <c>If-Match</c> with the ETag it read (428
/// without); if the resource changed meanwhile it is refused with 412 and nothing changes. The comparison runs inside
/// the update's transaction with the row locked, so two updates with the same ETag cannot both pass.
/// </summary>
public static class ApiETags
{
    public static string Of(HttpContext context, object representation)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var hash = SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(representation, representation.GetType(), options));
        return "\"" + Convert.ToHexStringLower(hash, 0, 16) + "\"";
    }

    /// <summary>The entity tags of <c>If-Match</c>; null when the header is missing (or unparsable).</summary>
    public static IReadOnlyList<string>? IfMatch(HttpRequest request) =>
        request.Headers.IfMatch.Count == 0 || !EntityTagHeaderValue.TryParseList(request.Headers.IfMatch, out var tags) || tags.Count == 0
            ? null
            : [.. tags.Select(t => t.Tag.Value ?? "")];

    /// <summary>Whether <paramref name="current"/> satisfies the If-Match list (strong comparison; <c>*</c> matches anything).</summary>
    public static bool Matches(IReadOnlyList<string> ifMatch, string current) => ifMatch.Any(t => t == "*" || t == current);
}
