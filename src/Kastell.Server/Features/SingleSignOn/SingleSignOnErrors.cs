using Kastell.Server.Platform.Http;

namespace Kastell.Server.Features.SingleSignOn;

/// <summary>The SingleSignOn feature's expected failures (codes documented in docs/error-codes.md).</summary>
internal static class SingleSignOnErrors
{
    public static readonly Failure NameInvalid = new("sso.name-invalid", StatusCodes.Status400BadRequest, "SsoNameInvalid");

    public static readonly Failure NameTaken = new("sso.name-taken", StatusCodes.Status409Conflict, "SsoNameTaken");

    public static readonly Failure IssuerInvalid = new("sso.issuer-invalid", StatusCodes.Status400BadRequest, "SsoIssuerInvalid");

    public static readonly Failure ClientInvalid = new("sso.client-invalid", StatusCodes.Status400BadRequest, "SsoClientInvalid");

    public static readonly Failure RoleInvalid = new("sso.role-invalid", StatusCodes.Status400BadRequest, "SsoRoleInvalid");

    public static readonly Failure MfaValuesInvalid = new("sso.mfa-values-invalid", StatusCodes.Status400BadRequest, "SsoMfaValuesInvalid");

    public static readonly Failure DiscoveryUnreachable = new("sso.discovery-unreachable", StatusCodes.Status422UnprocessableEntity, "SsoDiscoveryUnreachable");

    public static readonly Failure SamlMetadataInvalid = new("sso.saml-metadata-invalid", StatusCodes.Status422UnprocessableEntity, "SsoSamlMetadataInvalid");

    public static readonly Failure DiscoveryBroken = new("sso.discovery-broken", StatusCodes.Status422UnprocessableEntity, "SsoDiscoveryBroken");
}
