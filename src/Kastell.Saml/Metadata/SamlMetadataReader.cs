using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml;
using Kastell.Saml.Signatures;
using Kastell.Saml.Xml;

namespace Kastell.Saml;

/// <summary>Why IdP metadata was not imported. Stable numbers for the audit log; append only.</summary>
public enum SamlMetadataError
{
    /// <summary>Larger than <see cref="SamlMetadataReadOptions.MaxBytes"/>.</summary>
    TooLarge = 601,

    /// <summary>Not well-formed XML, or nested too deep.</summary>
    MalformedXml = 602,

    /// <summary>A DTD: refused before anything is resolved.</summary>
    DtdProhibited = 603,

    /// <summary>Neither <c>md:EntityDescriptor</c> nor <c>md:EntitiesDescriptor</c>.</summary>
    NotMetadata = 604,

    /// <summary>No entity (or not the requested one), or several without a requested entity id.</summary>
    EntityNotFound = 605,

    /// <summary>No <c>IDPSSODescriptor</c> supporting SAML 2.0, or more than one.</summary>
    NoIdentityProviderDescriptor = 606,

    /// <summary>No SingleSignOnService for HTTP-Redirect or HTTP-POST with an absolute http(s) location.</summary>
    NoSingleSignOnService = 607,

    /// <summary>No signing certificate (KeyDescriptor with use="signing" or without use).</summary>
    NoSigningCertificate = 608,

    /// <summary>A certificate that does not parse.</summary>
    InvalidCertificate = 609,

    /// <summary>A signing key below the minimum (RSA 2048 bits, ECDSA 256 bits).</summary>
    WeakSigningKey = 610,

    /// <summary>A pinned metadata certificate was given but the metadata is not signed.</summary>
    SignatureMissing = 611,

    /// <summary>The metadata signature does not verify with the pinned certificate or breaks the signature rules.</summary>
    SignatureInvalid = 612,

    /// <summary>The metadata's <c>validUntil</c> has passed.</summary>
    Expired = 613,
}

/// <summary>Options of <see cref="SamlMetadataReader.ReadIdentityProvider(string, SamlMetadataReadOptions?)"/>.</summary>
public sealed class SamlMetadataReadOptions
{
    /// <summary>
    /// When set, the metadata must carry a signature that verifies with this certificate (for metadata fetched from a
    /// URL, the federation's or IdP's metadata signing certificate). The signature rules are those of responses.
    /// </summary>
    public X509Certificate2? PinnedMetadataCertificate { get; init; }

    /// <summary>The entity to take from an <c>EntitiesDescriptor</c>; required when it holds several IdPs.</summary>
    public string? EntityId { get; init; }

    /// <summary>Accept SHA-1 in the metadata signature. NOT recommended (see
    /// <see cref="SamlSecurityOptions.AllowInsecureSha1"/>).</summary>
    public bool AllowInsecureSha1 { get; init; }

    /// <summary>The largest metadata document read, in bytes (default 1 MiB).</summary>
    public int MaxBytes { get; init; } = 1024 * 1024;

    /// <summary>The clock for <c>validUntil</c>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>The outcome of a metadata import: an identity provider, or an error with a detail for the operator.</summary>
/// <param name="IdentityProvider">The imported identity provider, on success.</param>
/// <param name="Error">What failed, otherwise.</param>
/// <param name="Detail">A short explanation (may quote cleaned text from the document).</param>
public sealed record SamlMetadataResult(SamlIdentityProvider? IdentityProvider, SamlMetadataError? Error, string Detail)
{
    /// <summary>Whether an identity provider was imported.</summary>
    public bool Succeeded => IdentityProvider is not null;
}

/// <summary>
/// Imports SAML 2.0 IdP metadata from text (fetching a URL, through an SSRF-safe client, is the caller's job). The
/// document is parsed like a response (no DTD, no resolver, depth limit). Signing certificates are taken from
/// KeyDescriptors with <c>use="signing"</c> or without <c>use</c>, and become the pins for response signatures; their
/// validity dates are not checked, as is usual for SAML metadata, because the pin, not a chain, carries the trust.
/// </summary>
public static class SamlMetadataReader
{
    /// <summary>Reads IdP metadata from a string.</summary>
    /// <param name="xml">The metadata document.</param>
    /// <param name="options">Pinning, entity selection and limits.</param>
    public static SamlMetadataResult ReadIdentityProvider(string xml, SamlMetadataReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(xml);
        options ??= new SamlMetadataReadOptions();
        return xml.Length > options.MaxBytes
            ? Fail(SamlMetadataError.TooLarge, $"{xml.Length} characters")
            : Read(Encoding.UTF8.GetBytes(xml), options);
    }

    /// <summary>Reads IdP metadata from a stream (at most <see cref="SamlMetadataReadOptions.MaxBytes"/> are read).</summary>
    /// <param name="stream">The metadata document.</param>
    /// <param name="options">Pinning, entity selection and limits.</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    public static async Task<SamlMetadataResult> ReadIdentityProviderAsync(Stream stream, SamlMetadataReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= new SamlMetadataReadOptions();
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > options.MaxBytes)
            {
                return Fail(SamlMetadataError.TooLarge, $"more than {options.MaxBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return Read(buffer.ToArray(), options);
    }

    internal static SamlMetadataResult Read(byte[] xml, SamlMetadataReadOptions options)
    {
        if (xml.Length > options.MaxBytes)
        {
            return Fail(SamlMetadataError.TooLarge, $"{xml.Length} bytes");
        }

        switch (SecureXml.TryLoad(xml, out var document))
        {
            case XmlLoadFailure.Dtd:
                return Fail(SamlMetadataError.DtdProhibited, "the document has a DOCTYPE");
            case XmlLoadFailure.TooDeep or XmlLoadFailure.Malformed:
                return Fail(SamlMetadataError.MalformedXml, "the document is not well-formed XML or nests too deep");
        }

        var root = document!.DocumentElement!;
        if (!SecureXml.Is(root, SamlNames.Metadata, "EntityDescriptor") && !SecureXml.Is(root, SamlNames.Metadata, "EntitiesDescriptor"))
        {
            return Fail(SamlMetadataError.NotMetadata, $"document element {SecureXml.ForLog(root.Name)}");
        }

        var now = options.TimeProvider.GetUtcNow();
        if (Expired(root, now) is { } rootExpired)
        {
            return rootExpired;
        }

        var signedRoot = false;
        if (options.PinnedMetadataCertificate is not null && SecureXml.Children(root, SamlNames.XmlDsig, "Signature").ToList() is [var rootSignature])
        {
            var verified = SignatureVerifier.Verify(root, rootSignature, [options.PinnedMetadataCertificate], options.AllowInsecureSha1);
            if (verified.Refusal is not null)
            {
                return Fail(SamlMetadataError.SignatureInvalid, $"{verified.Refusal.Reason}: {verified.Refusal.Detail}");
            }

            root = verified.VerifiedElement!;
            signedRoot = true;
        }

        var entities = SecureXml.Is(root, SamlNames.Metadata, "EntityDescriptor")
            ? [root]
            : SecureXml.Elements(root).Where(e => SecureXml.Is(e, SamlNames.Metadata, "EntityDescriptor") && e.GetElementsByTagName("IDPSSODescriptor", SamlNames.Metadata).Count > 0).ToList();
        if (options.EntityId is not null)
        {
            entities = entities.Where(e => SecureXml.Attribute(e, "entityID") == options.EntityId).ToList();
        }

        if (entities.Count != 1)
        {
            return Fail(SamlMetadataError.EntityNotFound, $"{entities.Count} matching identity provider entities; name the one to import");
        }

        var entity = entities[0];
        if (options.PinnedMetadataCertificate is not null && !signedRoot)
        {
            if (SecureXml.Children(entity, SamlNames.XmlDsig, "Signature").ToList() is not [var entitySignature])
            {
                return Fail(SamlMetadataError.SignatureMissing, "the metadata is not signed (exactly one signature on the document or the entity)");
            }

            var verified = SignatureVerifier.Verify(entity, entitySignature, [options.PinnedMetadataCertificate], options.AllowInsecureSha1);
            if (verified.Refusal is not null)
            {
                return Fail(SamlMetadataError.SignatureInvalid, $"{verified.Refusal.Reason}: {verified.Refusal.Detail}");
            }

            entity = verified.VerifiedElement!;
        }

        return ReadEntity(entity, now);
    }

    private static SamlMetadataResult ReadEntity(XmlElement entity, DateTimeOffset now)
    {
        if (Expired(entity, now) is { } expired)
        {
            return expired;
        }

        var entityId = SecureXml.Attribute(entity, "entityID");
        if (string.IsNullOrWhiteSpace(entityId))
        {
            return Fail(SamlMetadataError.EntityNotFound, "the EntityDescriptor has no entityID");
        }

        var descriptors = SecureXml.Children(entity, SamlNames.Metadata, "IDPSSODescriptor")
            .Where(d => (SecureXml.Attribute(d, "protocolSupportEnumeration") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(SamlNames.Protocol))
            .ToList();
        if (descriptors.Count != 1)
        {
            return Fail(SamlMetadataError.NoIdentityProviderDescriptor, $"{descriptors.Count} IDPSSODescriptors supporting SAML 2.0");
        }

        var descriptor = descriptors[0];
        string? redirect = null, post = null;
        foreach (var service in SecureXml.Children(descriptor, SamlNames.Metadata, "SingleSignOnService"))
        {
            var location = SecureXml.Attribute(service, "Location");
            if (!Uri.TryCreate(location, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                continue;
            }

            switch (SecureXml.Attribute(service, "Binding"))
            {
                case SamlNames.HttpRedirectBinding:
                    redirect ??= location;
                    break;
                case SamlNames.HttpPostBinding:
                    post ??= location;
                    break;
            }
        }

        if (redirect is null && post is null)
        {
            return Fail(SamlMetadataError.NoSingleSignOnService, "no SingleSignOnService for HTTP-Redirect or HTTP-POST with an absolute http(s) location");
        }

        var certificates = new List<X509Certificate2>();
        foreach (var keyDescriptor in SecureXml.Children(descriptor, SamlNames.Metadata, "KeyDescriptor"))
        {
            var use = SecureXml.Attribute(keyDescriptor, "use");
            if (use is not null && use != "signing")
            {
                continue;
            }

            foreach (var element in SecureXml.Elements(keyDescriptor).Where(e => SecureXml.Is(e, SamlNames.XmlDsig, "X509Certificate")))
            {
                if (SecureXml.ReadText(element, out var text) != TextRead.Ok)
                {
                    return Fail(SamlMetadataError.InvalidCertificate, "markup inside X509Certificate");
                }

                X509Certificate2 certificate;
                try
                {
                    certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(text));
                }
                catch (Exception exception) when (exception is CryptographicException or FormatException)
                {
                    return Fail(SamlMetadataError.InvalidCertificate, "an X509Certificate does not parse");
                }

                if (SamlIdentityProvider.WeakKeyReason(certificate) is { } weak)
                {
                    return Fail(SamlMetadataError.WeakSigningKey, weak);
                }

                if (!certificates.Any(c => c.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span)))
                {
                    certificates.Add(certificate);
                }
            }
        }

        if (certificates.Count == 0)
        {
            return Fail(SamlMetadataError.NoSigningCertificate, "no signing certificate in the IDPSSODescriptor");
        }

        var formats = new List<string>();
        foreach (var format in SecureXml.Children(descriptor, SamlNames.Metadata, "NameIDFormat"))
        {
            if (SecureXml.ReadText(format, out var text) == TextRead.Ok && text.Length > 0)
            {
                formats.Add(text);
            }
        }

        var wantSigned = SecureXml.Attribute(descriptor, "WantAuthnRequestsSigned") is "true" or "1";
        DateTimeOffset? validUntil = SecureXml.TryParseInstant(SecureXml.Attribute(entity, "validUntil"), out var until) ? until : null;
        var identityProvider = new SamlIdentityProvider(entityId, certificates, redirect, post, formats, wantSigned, validUntil);
        return new SamlMetadataResult(identityProvider, null, $"imported {SecureXml.ForLog(entityId)}");
    }

    private static SamlMetadataResult? Expired(XmlElement element, DateTimeOffset now)
    {
        var text = SecureXml.Attribute(element, "validUntil");
        if (text is null)
        {
            return null;
        }

        if (!SecureXml.TryParseInstant(text, out var validUntil))
        {
            return Fail(SamlMetadataError.Expired, $"validUntil {SecureXml.ForLog(text)} is not a time");
        }

        return validUntil <= now ? Fail(SamlMetadataError.Expired, $"valid until {validUntil:O}") : null;
    }

    private static SamlMetadataResult Fail(SamlMetadataError error, string detail) => new(null, error, detail);
}
