using Kastell.Server.Platform.Http;

namespace Kastell.Server.Features.ApiAccess;

/// <summary>The ApiAccess feature's expected failures (codes documented in docs/error-codes.md).</summary>
internal static class ApiAccessErrors
{
    public static readonly Failure TokenNameInvalid = new("token.name-invalid", StatusCodes.Status400BadRequest, "TokenNameInvalid");

    public static readonly Failure TokenLifetimeOutOfRange = new("token.lifetime-out-of-range", StatusCodes.Status400BadRequest, "TokenLifetimeInvalid");

    public static readonly Failure TokenNeedsPermissions = new("token.permissions-missing", StatusCodes.Status400BadRequest, "TokenPermissionsMissing");

    public static readonly Failure TokenPermissionUnknown = new("token.permission-unknown", StatusCodes.Status400BadRequest, "TokenPermissionUnknown");

    public static readonly Failure TokenPermissionNotHeld = new("token.permission-not-held", StatusCodes.Status403Forbidden, "TokenPermissionNotHeld");

    public static readonly Failure TokenSpaceUnknown = new("token.space-unknown", StatusCodes.Status400BadRequest, "TokenSpaceUnknown");

    public static readonly Failure ReauthenticationFailed = new("token.reauthentication-failed", StatusCodes.Status403Forbidden, "TokenReauthFailed");

    public static readonly Failure ServiceAccountNameInvalid = new("service-account.name-invalid", StatusCodes.Status400BadRequest, "ServiceAccountNameInvalid");

    public static readonly Failure ServiceAccountNameTaken = new("service-account.name-taken", StatusCodes.Status409Conflict, "ServiceAccountNameTaken");

    public static readonly Failure ServiceAccountRoleInvalid = new("service-account.role-invalid", StatusCodes.Status400BadRequest, "ServiceAccountRoleInvalid");

    public static readonly Failure ServiceAccountDisabled = new("service-account.disabled", StatusCodes.Status409Conflict, "ServiceAccountIsDisabled");
}
