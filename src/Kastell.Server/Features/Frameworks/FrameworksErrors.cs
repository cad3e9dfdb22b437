using Kastell.Server.Platform.Http;

namespace Kastell.Server.Features.Frameworks;

/// <summary>The Frameworks feature's expected failures (docs/error-codes.md).</summary>
internal static class FrameworksErrors
{
    /// <summary>Not a well-formed OSCAL catalog or profile (or a profile whose imports cannot be resolved); the problems name their JSON pointers.</summary>
    public static readonly Failure InvalidOscal = new("framework.invalid-oscal", StatusCodes.Status400BadRequest, "FrameworkInvalidOscal");

    /// <summary>This very version of the framework (same document, same version) is imported already.</summary>
    public static readonly Failure VersionExists = new("framework.version-exists", StatusCodes.Status409Conflict, "FrameworkVersionExists");

    /// <summary>No file was chosen, or it is larger than the import limit.</summary>
    public static readonly Failure FileMissingOrTooLarge = new("framework.file-invalid", StatusCodes.Status400BadRequest, "FrameworkFileInvalid");
}
