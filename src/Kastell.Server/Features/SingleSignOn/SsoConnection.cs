using Kastell.Server.Platform.Encryption;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Features.SingleSignOn;

/// <summary>The protocol a connection speaks.</summary>
public enum SsoProtocol
{
    Oidc,
    Saml,
}

/// <summary>
/// One external identity provider an organization's people sign in with. Tenant-owned. For OpenID Connect: the
/// issuer (discovery is fetched from it), the client registered at the provider and its secret (encrypted with the
/// organization's data key), the role a person gets when the first sign-in creates their account, and which
/// <c>amr</c>/<c>acr</c> values the organization trusts as multi-factor (then Kastell asks for no second factor of its own).
/// For SAML 2.0: <see cref="Issuer"/> is the identity provider's entity id, the signing certificates imported from its
/// metadata are pinned (encrypted like the client secret), <see cref="MfaAcrValues"/> holds the AuthnContextClassRef
/// values that count as multi-factor, and the service provider's entity id is fixed when the connection is added.
/// </summary>
public sealed class SsoConnection : ITenantOwned
{
    public const int MaxNameLength = 100;
    public const int MaxIssuerLength = 500;
    public const int MaxClientIdLength = 200;
    public const int MaxClientSecretLength = 500;
    public const int MaxUrlLength = 1000;

    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public SsoProtocol Protocol { get; set; }

    public string Name { get; set; } = "";

    /// <summary>The OpenID Provider's issuer identifier, exactly as its discovery document states it.</summary>
    public string Issuer { get; set; } = "";

    public string ClientId { get; set; } = "";

    /// <summary>Plaintext in memory only; ciphertext bound to this row in the database.</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>The organization role of an account the first sign-in creates (never owner).</summary>
    public OrganizationRole DefaultRole { get; set; } = OrganizationRole.Member;

    public bool Enabled { get; set; } = true;

    /// <summary>Space-separated <c>amr</c> values that count as multi-factor (e.g. <c>mfa otp hwk</c>); empty: none.</summary>
    public string MfaAmrValues { get; set; } = "";

    /// <summary>Space-separated <c>acr</c> values that count as multi-factor; empty: none.</summary>
    public string MfaAcrValues { get; set; } = "";

    /// <summary>SAML: this connection's service provider entity id (stable: fixed when the connection is added).</summary>
    public string? SamlSpEntityId { get; set; }

    /// <summary>SAML: the identity provider's SingleSignOnService of the HTTP-Redirect binding.</summary>
    public string? SamlSingleSignOnUrl { get; set; }

    /// <summary>
    /// SAML: the identity provider's signing certificates from its metadata (base64 DER, separated by spaces), the only
    /// keys a response signature is verified with. Plaintext in memory only.
    /// </summary>
    public string? SamlSigningCertificates { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string CreatedBy { get; set; } = "";

    /// <summary>The authentication scheme (and callback) of this connection: one per connection, resolved on demand.</summary>
    public string SchemeName => SchemeNameOf(OrganizationId, Id);

    public static string SchemeNameOf(Guid organizationId, Guid connectionId) => $"sso-{organizationId:N}-{connectionId:N}";

    /// <summary>The redirect URI to register at the provider (relative to Kastell's public address).</summary>
    public string CallbackPath => $"/sso/oidc/{OrganizationId:N}/{Id:N}/callback";

    /// <summary>SAML: where the identity provider posts its responses (relative to Kastell's public address).</summary>
    public string AssertionConsumerPath => $"/sso/saml/{OrganizationId:N}/{Id:N}/acs";

    public IReadOnlySet<string> MfaAmr => Split(MfaAmrValues);

    public IReadOnlySet<string> MfaAcr => Split(MfaAcrValues);

    private static HashSet<string> Split(string values) => [.. values.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}

internal sealed class SsoConnectionConfiguration : IEntityTypeConfiguration<SsoConnection>
{
    public void Configure(EntityTypeBuilder<SsoConnection> b)
    {
        b.ToTable("SsoConnections");
        b.Property(c => c.Protocol).HasConversion<string>().HasMaxLength(10);
        b.Property(c => c.Name).HasMaxLength(SsoConnection.MaxNameLength).IsRequired();
        b.HasIndex(c => new { c.OrganizationId, c.Name }).IsUnique();
        b.Property(c => c.Issuer).HasMaxLength(SsoConnection.MaxIssuerLength).IsRequired();
        b.Property(c => c.ClientId).HasMaxLength(SsoConnection.MaxClientIdLength).IsRequired();
        b.Property(c => c.ClientSecret).IsRequired().IsEncrypted(EncryptionScope.Organization);
        b.Property(c => c.DefaultRole).HasConversion<string>().HasMaxLength(20);
        b.Property(c => c.MfaAmrValues).HasMaxLength(500).IsRequired();
        b.Property(c => c.MfaAcrValues).HasMaxLength(500).IsRequired();
        b.Property(c => c.SamlSpEntityId).HasMaxLength(SsoConnection.MaxUrlLength);
        b.Property(c => c.SamlSingleSignOnUrl).HasMaxLength(SsoConnection.MaxUrlLength);
        b.Property(c => c.SamlSigningCertificates).IsEncrypted(EncryptionScope.Organization);
        b.Property(c => c.CreatedBy).HasMaxLength(128).IsRequired();
        b.Ignore(c => c.MfaAmr);
        b.Ignore(c => c.MfaAcr);
        b.HasOne<Organization>().WithMany().HasForeignKey(c => c.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
