using System.Security.Cryptography;
using Kastell.Saml;
using Kastell.Server.Features.SingleSignOn.Saml;
using Kastell.Server.Features.SingleSignOn.SignIn;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.SingleSignOn.Connections;

/// <summary>What an admin (or the operator's command line) asks for when adding an OpenID Connect connection.</summary>
public sealed record OidcConnectionInput(
    string Name,
    string Issuer,
    string ClientId,
    string ClientSecret,
    OrganizationRole DefaultRole = OrganizationRole.Member,
    string MfaAmrValues = "",
    string MfaAcrValues = "");

/// <summary>What an admin (or the command line) gives for a SAML 2.0 connection: the identity provider's metadata
/// document (its entity id, sign-in address and signing certificates are taken from it).</summary>
public sealed record SamlConnectionInput(
    string Name,
    string Metadata,
    OrganizationRole DefaultRole = OrganizationRole.Member,
    string MfaAuthnContexts = "");

/// <summary>
/// Adding and removing the request organization's connections: owners and admins only (<c>can_manage_sso</c>), or
/// the command line (a system actor). Input is checked first, then the provider's discovery document: nothing is
/// stored unless the provider answers as an OpenID Provider for exactly this issuer.
/// </summary>
public sealed class SsoConnectionCommands(
    KastellDbContext db,
    Tenant tenant,
    Permissions permissions,
    IssuerUrls urls,
    OidcDiscovery discovery,
    SsoSchemes schemes,
    SamlParties saml,
    IAuditLog audit,
    TimeProvider time)
{
    public async Task<Result<SsoConnection>> AddOidcAsync(OidcConnectionInput input, AuditActor actor, CancellationToken cancellationToken = default)
    {
        var organization = tenant.RequireOrganizationId();
        if (!await MayManageAsync(organization, actor, cancellationToken))
        {
            return Failures.NotAllowed;
        }

        var name = input.Name.Trim();
        if (name.Length is 0 or > SsoConnection.MaxNameLength || name.Any(char.IsControl))
        {
            return SingleSignOnErrors.NameInvalid;
        }

        if (!urls.IsAcceptable(input.Issuer, out var issuer))
        {
            return SingleSignOnErrors.IssuerInvalid;
        }

        var clientId = input.ClientId.Trim();
        var secret = input.ClientSecret.Trim();
        if (clientId.Length is 0 or > SsoConnection.MaxClientIdLength || clientId.Any(char.IsControl)
            || secret.Length is 0 or > SsoConnection.MaxClientSecretLength || secret.Any(char.IsControl))
        {
            return SingleSignOnErrors.ClientInvalid;
        }

        // People who arrive through a provider never become owners by it: ownership is handed over by an owner.
        if (input.DefaultRole is not (OrganizationRole.Member or OrganizationRole.Auditor or OrganizationRole.Admin))
        {
            return SingleSignOnErrors.RoleInvalid;
        }

        if (MfaValues(input.MfaAmrValues) is not { } amr || MfaValues(input.MfaAcrValues) is not { } acr)
        {
            return SingleSignOnErrors.MfaValuesInvalid;
        }

        if (await db.SsoConnections.AnyAsync(c => c.Name == name, cancellationToken))
        {
            return SingleSignOnErrors.NameTaken;
        }

        var document = await discovery.CheckAsync(issuer, cancellationToken);
        if (document.Failure is { } failure)
        {
            return failure;
        }

        var connection = new SsoConnection
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = organization,
            Protocol = SsoProtocol.Oidc,
            Name = name,
            Issuer = document.Value!.Issuer,
            ClientId = clientId,
            ClientSecret = secret,
            DefaultRole = input.DefaultRole,
            MfaAmrValues = amr,
            MfaAcrValues = acr,
            Enabled = true,
            CreatedAt = time.GetUtcNow(),
            CreatedBy = actor.Id ?? actor.Kind.ToString(),
        };
        db.SsoConnections.Add(connection);
        audit.Record(new(SingleSignOnEvents.SsoConnectionAdded, actor, Target(connection), Details: new Dictionary<string, string>
        {
            ["name"] = name,
            ["protocol"] = "oidc",
            ["issuer"] = connection.Issuer,
            ["clientId"] = clientId,
            ["defaultRole"] = input.DefaultRole.ToString(),
            ["mfaAmr"] = amr,
            ["mfaAcr"] = acr,
        }));
        await db.SaveChangesAsync(cancellationToken);
        return connection;
    }

    /// <summary>
    /// Adds a SAML 2.0 connection from the identity provider's metadata (parsed like a response: no DTD, no resolver,
    /// a size and depth limit). The signing certificates in it become the pins — the only keys a response signature is
    /// verified with — stored encrypted with the organization's key. Refused, storing nothing, when the metadata is not
    /// one SAML 2.0 identity provider with an HTTP-Redirect sign-in address (https, or loopback http where allowed) and
    /// strong signing keys, or when it wants signed requests (Kastell does not sign its AuthnRequests yet).
    /// </summary>
    public async Task<Result<SsoConnection>> AddSamlAsync(SamlConnectionInput input, AuditActor actor, CancellationToken cancellationToken = default)
    {
        var organization = tenant.RequireOrganizationId();
        if (!await MayManageAsync(organization, actor, cancellationToken))
        {
            return Failures.NotAllowed;
        }

        var name = input.Name.Trim();
        if (name.Length is 0 or > SsoConnection.MaxNameLength || name.Any(char.IsControl))
        {
            return SingleSignOnErrors.NameInvalid;
        }

        if (input.DefaultRole is not (OrganizationRole.Member or OrganizationRole.Auditor or OrganizationRole.Admin))
        {
            return SingleSignOnErrors.RoleInvalid;
        }

        if (MfaValues(input.MfaAuthnContexts) is not { } contexts)
        {
            return SingleSignOnErrors.MfaValuesInvalid;
        }

        var imported = SamlMetadataReader.ReadIdentityProvider(input.Metadata ?? "", new SamlMetadataReadOptions { MaxBytes = MaxSamlMetadataBytes, TimeProvider = time });
        if (imported.IdentityProvider is not { } identityProvider
            || identityProvider.EntityId.Length > SsoConnection.MaxIssuerLength
            || identityProvider.WantAuthnRequestsSigned
            || identityProvider.SingleSignOnServiceRedirectUrl is not { } ssoUrl
            || ssoUrl.Length > SsoConnection.MaxUrlLength
            || !urls.IsSignInAddress(ssoUrl))
        {
            return SingleSignOnErrors.SamlMetadataInvalid;
        }

        if (await db.SsoConnections.AnyAsync(c => c.Name == name, cancellationToken))
        {
            return SingleSignOnErrors.NameTaken;
        }

        var id = Guid.CreateVersion7();
        var connection = new SsoConnection
        {
            Id = id,
            OrganizationId = organization,
            Protocol = SsoProtocol.Saml,
            Name = name,
            Issuer = identityProvider.EntityId,
            ClientId = "",
            ClientSecret = "",
            SamlSpEntityId = saml.NewEntityId(organization, id),
            SamlSingleSignOnUrl = ssoUrl,
            SamlSigningCertificates = SamlParties.Format(identityProvider.SigningCertificates),
            DefaultRole = input.DefaultRole,
            MfaAcrValues = contexts,
            Enabled = true,
            CreatedAt = time.GetUtcNow(),
            CreatedBy = actor.Id ?? actor.Kind.ToString(),
        };
        db.SsoConnections.Add(connection);
        audit.Record(new(SingleSignOnEvents.SsoConnectionAdded, actor, Target(connection), Details: new Dictionary<string, string>
        {
            ["name"] = name,
            ["protocol"] = "saml",
            ["issuer"] = connection.Issuer,
            ["spEntityId"] = connection.SamlSpEntityId,
            ["singleSignOnUrl"] = ssoUrl,
            // Which keys were pinned, for investigators: SHA-256 fingerprints, not the certificates.
            ["signingCertificates"] = string.Join(' ', identityProvider.SigningCertificates.Select(c => c.GetCertHashString(HashAlgorithmName.SHA256))),
            ["defaultRole"] = input.DefaultRole.ToString(),
            ["mfaAuthnContexts"] = contexts,
        }));
        await db.SaveChangesAsync(cancellationToken);
        return connection;
    }

    /// <summary>The largest metadata document accepted (upload and command line).</summary>
    public const int MaxSamlMetadataBytes = 512 * 1024;

    public async Task<Result> RemoveAsync(Guid connectionId, AuditActor actor, CancellationToken cancellationToken = default)
    {
        var organization = tenant.RequireOrganizationId();
        if (!await MayManageAsync(organization, actor, cancellationToken))
        {
            return Failures.NotAllowed;
        }

        var connection = await db.SsoConnections.SingleOrDefaultAsync(c => c.Id == connectionId, cancellationToken);
        if (connection is null)
        {
            return Failures.NotFound;
        }

        db.SsoConnections.Remove(connection);
        audit.Record(new(SingleSignOnEvents.SsoConnectionRemoved, actor, Target(connection), Details: new Dictionary<string, string> { ["name"] = connection.Name, ["issuer"] = connection.Issuer }));
        await db.SaveChangesAsync(cancellationToken);
        schemes.Forget(connection.OrganizationId, connection.Id);
        return Result.Done;
    }

    public static AuditTarget Target(SsoConnection connection) => new("sso_connection", connection.Id.ToString());

    /// <summary>Space-separated tokens of printable ASCII without quotes, normalized; null when not.</summary>
    private static string? MfaValues(string? values)
    {
        var tokens = (values ?? "").Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (tokens.Any(t => t.Length > 100 || t.Any(c => c is < '!' or > '~' or '"' or '\\')) || tokens.Length > 20)
        {
            return null;
        }

        return string.Join(' ', tokens.Distinct(StringComparer.Ordinal));
    }

    private async Task<bool> MayManageAsync(Guid organization, AuditActor actor, CancellationToken cancellationToken) =>
        actor.Kind == AuditActorKind.System
        || await permissions.RequireAsync("organization", organization, "can_manage_sso", auditAllow: true, cancellationToken);
}
