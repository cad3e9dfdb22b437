using Kastell.Server.Platform.Http;

namespace Kastell.Server.Features.Organizations;

/// <summary>The Organizations feature's expected failures (codes documented in docs/error-codes.md).</summary>
internal static class OrganizationErrors
{
    public static readonly Failure SpaceNameInvalid = new("space.name-invalid", StatusCodes.Status400BadRequest, "SpaceNameInvalid");

    public static readonly Failure InvitationEmailInvalid = new("invitation.email-invalid", StatusCodes.Status400BadRequest, "InvitationEmailInvalid");

    public static readonly Failure InvitationAlreadyMember = new("invitation.already-member", StatusCodes.Status409Conflict, "InviteAlreadyMember");

    public static readonly Failure PasswordPolicyOutOfRange = new("organization.password-policy-out-of-range", StatusCodes.Status400BadRequest, "PolicyInvalid");
}
