using System.Diagnostics.CodeAnalysis;

namespace Kastell.Oscal;

/// <summary>
/// The outcome of reading or resolving: a value, or the errors that refused it. Expected failures (malformed input,
/// limits, missing or circular imports) are values, never exceptions; warnings accompany either.
/// </summary>
public sealed class OscalResult<T>
    where T : class
{
    private OscalResult(T? value, IReadOnlyList<OscalError> errors, IReadOnlyList<OscalError> warnings)
    {
        Value = value;
        Errors = errors;
        Warnings = warnings;
    }

    /// <summary>The value; null when refused.</summary>
    public T? Value { get; }

    /// <summary>Why the input was refused; empty on success.</summary>
    public IReadOnlyList<OscalError> Errors { get; }

    /// <summary>Conditions worth telling that did not refuse the input (e.g. a parameter setting that matched nothing).</summary>
    public IReadOnlyList<OscalError> Warnings { get; }

    /// <summary>Whether there is a value.</summary>
    [MemberNotNullWhen(true, nameof(Value))]
    public bool IsSuccess => Value is not null;

    /// <summary>A successful outcome.</summary>
    public static OscalResult<T> Success(T value, IReadOnlyList<OscalError>? warnings = null) => new(value, [], warnings ?? []);

    /// <summary>A refusal; at least one error.</summary>
    public static OscalResult<T> Failure(IReadOnlyList<OscalError> errors, IReadOnlyList<OscalError>? warnings = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(errors.Count);
        return new(null, errors, warnings ?? []);
    }

    /// <summary>A refusal with one error.</summary>
    public static OscalResult<T> Failure(OscalError error) => Failure([error]);

    /// <inheritdoc />
    public override string ToString() => IsSuccess ? $"ok: {Value}" : string.Join(Environment.NewLine, Errors);
}

/// <summary>
/// One error or warning: a stable <see cref="Code"/>, the document it is in, the JSON pointer (RFC 6901) of the
/// offending value and a message, e.g. <c>/catalog/groups/3/controls/7/id: expected a string</c>.
/// </summary>
/// <param name="Code">The stable code; tests and callers match on it, never on the message.</param>
/// <param name="Pointer">The JSON pointer of the value (empty for the whole document).</param>
/// <param name="Message">What is wrong, in English.</param>
/// <param name="Document">The document the pointer is in (a resolved import's URI); null for the document read.</param>
/// <param name="ByteOffset">The position in the document, counted in bytes from 0, where known.</param>
public sealed record OscalError(OscalErrorCode Code, string Pointer, string Message, string? Document = null, long? ByteOffset = null)
{
    /// <inheritdoc />
    public override string ToString()
    {
        var where = Document is null ? Pointer : $"{Document}{(Pointer.Length == 0 ? "" : " ")}{Pointer}";
        return where.Length == 0 ? Message : $"{where}: {Message}";
    }
}

/// <summary>
/// Stable error codes, numbered in blocks: 1xx malformed JSON, 2xx not the OSCAL model, 3xx limits, 4xx profile
/// resolution. Append-only: a code is never renumbered or reused.
/// </summary>
public enum OscalErrorCode
{
    /// <summary>Not well-formed JSON (syntax, invalid UTF-8, comments, trailing commas, trailing content).</summary>
    InvalidJson = 100,

    /// <summary>An object has the same property twice.</summary>
    DuplicateProperty = 101,

    /// <summary>A value has the wrong JSON type (a number where a string belongs…).</summary>
    WrongType = 200,

    /// <summary>A required property is missing.</summary>
    MissingProperty = 201,

    /// <summary>A value is not one of the allowed values (<c>with-child-controls</c>, <c>combine/method</c>…).</summary>
    InvalidValue = 202,

    /// <summary>The root is not a catalog, profile or mapping collection.</summary>
    UnsupportedDocument = 203,

    /// <summary>The document is larger than <see cref="Reading.OscalReaderOptions.MaxDocumentBytes"/>.</summary>
    DocumentTooLarge = 300,

    /// <summary>JSON nesting deeper than <see cref="Reading.OscalReaderOptions.MaxDepth"/>.</summary>
    NestingTooDeep = 301,

    /// <summary>One string or number longer than <see cref="Reading.OscalReaderOptions.MaxTokenBytes"/>.</summary>
    TokenTooLarge = 302,

    /// <summary>More values than <see cref="Reading.OscalReaderOptions.MaxValues"/>.</summary>
    TooManyValues = 303,

    /// <summary>Groups, controls or parts nested deeper than <see cref="Reading.OscalReaderOptions.MaxOscalNesting"/>.</summary>
    OscalNestingTooDeep = 304,

    /// <summary>The resolution would produce more controls than <see cref="Resolution.ProfileResolverOptions.MaxControls"/>.</summary>
    TooManyControls = 305,

    /// <summary>Imports nested deeper, or more documents fetched, than the resolver's limits allow.</summary>
    TooManyImports = 306,

    /// <summary>An import names a document that cannot be found (missing file, unknown back-matter resource, no rlink).</summary>
    ImportNotFound = 400,

    /// <summary>A profile imports itself, directly or through other profiles.</summary>
    ImportCycle = 401,

    /// <summary>An imported document is not a catalog or profile, or cannot be read; the inner error is in the message.</summary>
    ImportInvalid = 402,

    /// <summary>More than one structuring directive, or the undefined <c>combine: merge</c>.</summary>
    InvalidMerge = 403,

    /// <summary>Imported documents of different OSCAL major versions.</summary>
    IncompatibleOscalVersion = 404,

    /// <summary>Warning: a directive matched nothing (a selector, set-parameter, alter or add target).</summary>
    DirectiveMatchedNothing = 450,

    /// <summary>Warning: the resolved catalog has two controls with the same id (combine method keep).</summary>
    DuplicateControl = 451,
}
