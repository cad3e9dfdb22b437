using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Kastell.Server.Features.Files;

/// <summary>
/// Reads an upload form (<c>multipart/form-data</c>) as a stream of sections, so the file goes from the socket through
/// encryption to storage without ever being buffered whole — in memory or as a plaintext temporary file, which is
/// what ASP.NET Core's form reader (and with it the antiforgery middleware) would do with a large file. The form must
/// send its antiforgery token before the file (browsers send fields in document order); the token is validated
/// before a byte of the file is read.
/// </summary>
internal sealed class MultipartUpload(HttpContext context, IAntiforgery antiforgery, IOptions<AntiforgeryOptions> options)
{
    public const string FileField = "File";
    private const int MaxTokenLength = 4096;
    private const int MaxBoundaryLength = 70; // RFC 2046

    /// <summary>
    /// The file's section, or null when the request is not a well-formed upload with a valid token (the caller answers
    /// the bare 400, which the status pages explain in the user's language).
    /// </summary>
    public Task<MultipartSection?> OpenFileAsync(CancellationToken cancellationToken) => OpenFileAsync(fields: null, cancellationToken);

    /// <summary>The most bytes of text fields a form may send before its file (<paramref name="fields"/> of <see cref="OpenFileAsync(Dictionary{string, List{string}}?, CancellationToken)"/>).</summary>
    public const int MaxFieldBytes = 32 * 1024;

    /// <summary>
    /// As <see cref="OpenFileAsync(CancellationToken)"/>; with <paramref name="fields"/>, the text fields sent between
    /// the token and the file are collected into it (at most <see cref="MaxFieldBytes"/> together, else null: a form
    /// with its file sends its fields first, in document order).
    /// </summary>
    public async Task<MultipartSection?> OpenFileAsync(Dictionary<string, List<string>>? fields, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var mediaType)
            || !string.Equals(mediaType.MediaType.Value, "multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 and <= MaxBoundaryLength } boundary)
        {
            MarkAntiforgery(valid: false);
            return null; // not a multipart/form-data form
        }

        var reader = new MultipartReader(boundary, context.Request.Body);
        var first = await reader.ReadNextSectionAsync(cancellationToken);
        if (first is null || FieldName(first) is not { } field || field != options.Value.FormFieldName || !await TokenIsValidAsync(first, cancellationToken))
        {
            MarkAntiforgery(valid: false);
            return null; // no valid antiforgery token first
        }

        MarkAntiforgery(valid: true);
        var file = await reader.ReadNextSectionAsync(cancellationToken);
        var budget = MaxFieldBytes;
        while (fields is not null && file is not null && file.AsFileSection() is null && FieldName(file) is { } name)
        {
            using var text = new StreamReader(file.Body);
            var buffer = new char[budget + 1];
            var length = await text.ReadBlockAsync(buffer.AsMemory(), cancellationToken);
            budget -= length;
            if (budget < 0)
            {
                return null; // more text than any form of Kastell's sends
            }

            (fields.TryGetValue(name, out var values) ? values : fields[name] = []).Add(new string(buffer, 0, length));
            file = await reader.ReadNextSectionAsync(cancellationToken);
        }

        if (file is null || FieldName(file) != FileField || file.AsFileSection() is null)
        {
            return null; // the form carries no file
        }

        return file;
    }

    /// <summary>The client's name for the file (unsanitized).</summary>
    public static string ClientFileName(MultipartSection file) => file.AsFileSection()?.FileName ?? "";

    private static string? FieldName(MultipartSection section) =>
        ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) && disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
            ? HeaderUtilities.RemoveQuotes(disposition.Name).Value
            : null;

    private async Task<bool> TokenIsValidAsync(MultipartSection section, CancellationToken cancellationToken)
    {
        using var text = new StreamReader(section.Body);
        var buffer = new char[MaxTokenLength + 1];
        var length = await text.ReadBlockAsync(buffer.AsMemory(), cancellationToken);
        if (length is 0 or > MaxTokenLength || options.Value.HeaderName is not { } header)
        {
            return false;
        }

        // The antiforgery service reads a header token before it would read the form: hand it the token that way.
        context.Request.Headers[header] = new string(buffer, 0, length);
        try
        {
            return await antiforgery.IsRequestValidAsync(context);
        }
        finally
        {
            context.Request.Headers.Remove(header);
        }
    }

    /// <summary>What the antiforgery middleware would have recorded, so the refusal audit sees a forged upload.</summary>
    private void MarkAntiforgery(bool valid) => context.Features.Set<IAntiforgeryValidationFeature>(new Validation(valid));

    private sealed record Validation(bool IsValid) : IAntiforgeryValidationFeature
    {
        public Exception? Error => null;
    }
}
