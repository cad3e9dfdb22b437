namespace Kastell.Server.Platform.Http;

/// <summary>
/// An expected failure of a command — a value, not an exception. <see cref="Code"/> is stable and documented in
/// <c>docs/error-codes.md</c> (clients and tests match on it), <see cref="Status"/> is the HTTP status it maps to, and
/// <see cref="TextKey"/> names its text in the strings, shown on a page and as the problem's <c>title</c> in the API.
/// Each area lists its failures in one <c>…Errors</c> class; <see cref="Failures"/> holds those every area shares.
/// </summary>
public sealed record Failure(string Code, int Status, string TextKey);

/// <summary>Failures every area shares.</summary>
public static class Failures
{
    /// <summary>No such object for this caller — also what an object of another tenant or without a relation looks like.</summary>
    public static readonly Failure NotFound = new("not-found", StatusCodes.Status404NotFound, "NotFoundTitle");

    /// <summary>The caller may see the object but not do this to it.</summary>
    public static readonly Failure NotAllowed = new("not-allowed", StatusCodes.Status403Forbidden, "NotAllowed");
}

/// <summary>The outcome of a command that produces nothing: done, or one <see cref="Failure"/>.</summary>
public readonly record struct Result(Failure? Failure)
{
    public static Result Done { get; } = new(null);

    public bool Succeeded => Failure is null;

    public static implicit operator Result(Failure failure) => new(failure);
}

/// <summary>The outcome of a command that produces a <typeparamref name="T"/>: the value, or one <see cref="Failure"/>.</summary>
public readonly record struct Result<T>(T? Value, Failure? Failure)
{
    public bool Succeeded => Failure is null;

    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(Failure failure) => new(default, failure);
}
