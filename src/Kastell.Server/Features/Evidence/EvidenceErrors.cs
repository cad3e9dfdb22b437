using Kastell.Server.Platform.Http;

namespace Kastell.Server.Features.Evidence;

/// <summary>The Evidence feature's expected failures (docs/error-codes.md).</summary>
internal static class EvidenceErrors
{
    /// <summary>A title that is empty, too long or has control characters, or a note or description too long.</summary>
    public static readonly Failure TitleInvalid = new("evidence.title-invalid", StatusCodes.Status400BadRequest, "EvidenceTitleInvalid");

    /// <summary>Not one of the kinds (file, link, note), or a note without text.</summary>
    public static readonly Failure KindInvalid = new("evidence.kind-invalid", StatusCodes.Status400BadRequest, "EvidenceKindInvalid");

    /// <summary>A link that is not an absolute https address (without user name or password) of at most 2,000 characters.</summary>
    public static readonly Failure LinkInvalid = new("evidence.link-invalid", StatusCodes.Status400BadRequest, "EvidenceLinkInvalid");

    /// <summary>Neither an effective date nor a whole observation period, both, a period ending before it starts, or a validity ending before it.</summary>
    public static readonly Failure DatesInvalid = new("evidence.dates-invalid", StatusCodes.Status400BadRequest, "EvidenceDatesInvalid");

    /// <summary>A linked control or asset that is not one of this Space.</summary>
    public static readonly Failure LinkTargetInvalid = new("evidence.link-target-invalid", StatusCodes.Status400BadRequest, "EvidenceLinkTargetInvalid");

    /// <summary>The file was refused (empty, too large, of a type Kastell does not accept, malware, or no scanner to check it); nothing was kept.</summary>
    public static readonly Failure FileRefused = new("evidence.file-refused", StatusCodes.Status422UnprocessableEntity, "EvidenceFileRefused");

    /// <summary>The visibility setting is neither <c>true</c> nor <c>false</c>.</summary>
    public static readonly Failure VisibilityInvalid = new("evidence.visibility-invalid", StatusCodes.Status400BadRequest, "EvidenceVisibilityInvalid");

    /// <summary>Four eyes: who submitted evidence (or a version of it) does not review it.</summary>
    public static readonly Failure OwnReview = new("evidence.own-review", StatusCodes.Status403Forbidden, "EvidenceOwnReview");

    /// <summary>Only submitted evidence is reviewed; a rejection needs a comment (at most 2,000 characters).</summary>
    public static readonly Failure ReviewInvalid = new("evidence.review-invalid", StatusCodes.Status409Conflict, "EvidenceReviewInvalid");
}
