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

        // Counted here as well as by the server's own limit (which not every server enforces): JSON bodies are small.
        if (context.Request.ContentLength > ApiAuthenticationMiddleware.MaxJsonBodyBytes)
        {
            return (null, ApiErrors.PayloadTooLarge, null);
        }

        var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > ApiAuthenticationMiddleware.MaxJsonBodyBytes)
                {
                    return (null, ApiErrors.PayloadTooLarge, null);
                }

                buffer.Write(chunk, 0, read);
            }

            buffer.Position = 0;
            var value = await JsonSerializer.DeserializeAsync<T>(buffer, options, context.RequestAborted);
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
