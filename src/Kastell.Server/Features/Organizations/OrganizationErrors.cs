using Kastell.Server.Platform.Http;

namespace Kastell.Server.Features.Organizations;

/// <summary>The Organizations feature's expected failures (codes documented in docs/error-codes.md).</summary>
internal static class OrganizationErrors
{
    public static readonly Failure SpaceNameInvalid = new("space.name-invalid", StatusCodes.Status400BadRequest, "SpaceNameInvalid");

    public static readonly Failure OrganizationNameInvalid = new("organization.name-invalid", StatusCodes.Status400BadRequest, "OrganizationNameInvalid");

    public static readonly Failure OrganizationLimitReached = new("organization.limit-reached", StatusCodes.Status409Conflict, "OrganizationLimitReached");

    public static readonly Failure PasswordPolicyOutOfRange = new("organization.password-policy-out-of-range", StatusCodes.Status400BadRequest, "PolicyInvalid");
}
