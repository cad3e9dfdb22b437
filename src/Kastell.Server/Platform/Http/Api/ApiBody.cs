using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Http.Api;

/// <summary>
/// Reads a JSON request body strictly (<see cref="ApiSetup.Configure"/>): the wrong content type, malformed JSON, an
/// unknown member, a wrong type or a missing required member is a failure whose detail says what and where — never an
/// exception, never a silently ignored field.
/// </summary>
public static class ApiBody
{
    public static async Task<(T? Value, Failure? Failure, string? Detail)> ReadAsync<T>(HttpContext context)
        where T : class
    {
        if (!context.Request.HasJsonContentType())
        {
            return (null, ApiErrors.UnsupportedMediaType, "Send the body as application/json.");
        }

        var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(context.Request.Body, options, context.RequestAborted);
            return value is null ? (null, ApiErrors.InvalidRequest, "The body is empty or null.") : (value, null, null);
        }
        catch (JsonException json)
        {
            // The serializer's message names the member and the position, never more of the body than that.
            return (null, ApiErrors.InvalidRequest, json.Message);
        }
        catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, ApiErrors.PayloadTooLarge, null);
        }
    }
}
