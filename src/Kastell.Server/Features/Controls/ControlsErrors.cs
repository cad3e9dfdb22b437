using Kastell.Server.Platform.Http;

namespace Kastell.Server.Features.Controls;

/// <summary>The Controls feature's expected failures (docs/error-codes.md).</summary>
internal static class ControlsErrors
{
    /// <summary>No framework of the organization's library with this id, or one without any imported version.</summary>
    public static readonly Failure FrameworkInvalid = new("controls.framework-invalid", StatusCodes.Status400BadRequest, "ControlsFrameworkInvalid");

    /// <summary>The Space adopts this framework already.</summary>
    public static readonly Failure AlreadyAdopted = new("controls.already-adopted", StatusCodes.Status409Conflict, "ControlsAlreadyAdopted");

    /// <summary>The Space does not adopt this framework (anymore).</summary>
    public static readonly Failure NotAdopted = new("controls.not-adopted", StatusCodes.Status400BadRequest, "ControlsNotAdopted");

    /// <summary>A control's title is empty, too long or has control characters, or its description is too long.</summary>
    public static readonly Failure ControlInvalid = new("controls.control-invalid", StatusCodes.Status400BadRequest, "ControlsControlInvalid");

    /// <summary>Not one of the implementation statuses.</summary>
    public static readonly Failure StatusInvalid = new("controls.status-invalid", StatusCodes.Status400BadRequest, "ControlsStatusInvalid");

    /// <summary>The owner is neither a member of the organization nor one of its teams.</summary>
    public static readonly Failure OwnerInvalid = new("controls.owner-invalid", StatusCodes.Status400BadRequest, "ControlsOwnerInvalid");

    /// <summary>No requirement with this id in a framework version the Space adopts.</summary>
    public static readonly Failure RequirementInvalid = new("controls.requirement-invalid", StatusCodes.Status400BadRequest, "ControlsRequirementInvalid");

    /// <summary>A statement of applicability entry without a justification (or with one too long), or without a yes/no.</summary>
    public static readonly Failure JustificationRequired = new("controls.justification-required", StatusCodes.Status400BadRequest, "ControlsJustificationRequired");
}
