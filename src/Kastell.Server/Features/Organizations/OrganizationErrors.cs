using Kastell.Server.Platform.Http;

namespace Kastell.Server.Features.Organizations;

/// <summary>The Organizations feature's expected failures (codes documented in docs/error-codes.md).</summary>
internal static class OrganizationErrors
{
    public static readonly Failure SpaceNameInvalid = new("space.name-invalid", StatusCodes.Status400BadRequest, "SpaceNameInvalid");

    public static readonly Failure OrganizationNameInvalid = new("organization.name-invalid", StatusCodes.Status400BadRequest, "OrganizationNameInvalid");

    public static readonly Failure OrganizationLimitReached = new("organization.limit-reached", StatusCodes.Status409Conflict, "OrganizationLimitReached");

    public static readonly Failure LastOwner = new("organization.last-owner", StatusCodes.Status409Conflict, "LastOwnerProtected");

    public static readonly Failure MemberRoleInvalid = new("organization.role-invalid", StatusCodes.Status400BadRequest, "MemberRoleInvalid");

    public static readonly Failure SpaceRoleInvalid = new("space.role-invalid", StatusCodes.Status400BadRequest, "SpaceRoleInvalid");

    public static readonly Failure SpaceMemberInvalid = new("space.member-invalid", StatusCodes.Status400BadRequest, "SpaceMemberInvalid");

    public static readonly Failure InvitationEmailInvalid = new("invitation.email-invalid", StatusCodes.Status400BadRequest, "InvitationEmailInvalid");

    public static readonly Failure InvitationAlreadyMember = new("invitation.already-member", StatusCodes.Status409Conflict, "InviteAlreadyMember");

    public static readonly Failure InviterUnconfirmed = new("invitation.inviter-unconfirmed", StatusCodes.Status403Forbidden, "InviteConfirmEmailFirst");

    public static readonly Failure InvitationsThrottled = new("invitation.too-many", StatusCodes.Status429TooManyRequests, "InvitationsThrottled");

    public static readonly Failure PasswordPolicyOutOfRange = new("organization.password-policy-out-of-range", StatusCodes.Status400BadRequest, "PolicyInvalid");
}
