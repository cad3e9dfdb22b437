using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Xml;
using Kastell.Saml.Xml;

namespace Kastell.Saml.Signatures;

/// <summary>The outcome of <see cref="SignatureVerifier.Verify"/>: a refusal, or the element the signature covers.</summary>
internal readonly record struct SignatureOutcome(SamlRefusal? Refusal, XmlElement? VerifiedElement);

/// <summary>
/// Verifies one enveloped XML signature over the element that carries it, the way SAML core 5.4 profiles it, and
/// designs against the traps of <see cref="SignedXml"/>:
/// <list type="bullet">
/// <item>The parameterless <c>CheckSignature()</c> trusts the key in <c>KeyInfo</c>: only
/// <c>CheckSignature(AsymmetricAlgorithm)</c> with a pinned certificate's key is called; <c>KeyInfo</c> is read only to
/// name a refusal.</item>
/// <item><c>GetIdElement</c> resolves <c>Id</c>, <c>id</c> and <c>ID</c>, so an attacker's element can win the
/// lookup: the reference must be exactly <c>#</c> + the carrier's <c>ID</c>, the lookup is overridden to return only
/// that element, and the caller has already refused documents in which any ID value occurs twice.</item>
/// <item>The default transform and algorithm lists are wider than SAML needs: SignedInfo is checked against
/// allow-lists before any cryptography runs (one reference; enveloped-signature then exclusive c14n; RSA/ECDSA with
/// SHA-2, SHA-1 only when allowed).</item>
/// <item>The signature is verified on an isolated copy of the carrier (its in-scope namespace declarations added), and
/// that verified copy is what the caller reads afterwards: nothing outside the signed bytes can be read by
/// mistake. The copy also keeps <c>SignedXml</c>'s enveloped-signature transform from removing the wrong signature
/// when the response and the assertion are both signed.</item>
/// </list>
/// </summary>
internal static class SignatureVerifier
{
    private static readonly Dictionary<string, (bool Sha1, bool Ecdsa)> SignatureMethods = new(StringComparer.Ordinal)
    {
        [SamlNames.RsaSha256] = (false, false),
        [SamlNames.RsaSha384] = (false, false),
        [SamlNames.RsaSha512] = (false, false),
        [SamlNames.EcdsaSha256] = (false, true),
        [SamlNames.EcdsaSha384] = (false, true),
        [SamlNames.EcdsaSha512] = (false, true),
        [SamlNames.RsaSha1] = (true, false),
        [SamlNames.EcdsaSha1] = (true, true),
    };

    private static readonly Dictionary<string, bool> DigestMethods = new(StringComparer.Ordinal)
    {
        [SamlNames.Sha256] = false,
        [SamlNames.Sha384] = false,
        [SamlNames.Sha512] = false,
        [SamlNames.Sha1] = true,
    };

    private const string ExcC14NNamespace = "http://www.w3.org/2001/10/xml-exc-c14n#";
    private const string XmlnsNamespace = "http://www.w3.org/2000/xmlns/";

    static SignatureVerifier()
    {
        // SignedXml looks signature methods it does not know up in CryptoConfig; the registration is process-wide,
        // idempotent and adds ECDSA only.
        CryptoConfig.AddAlgorithm(typeof(EcdsaSha1SignatureDescription), SamlNames.EcdsaSha1);
        CryptoConfig.AddAlgorithm(typeof(EcdsaSha256SignatureDescription), SamlNames.EcdsaSha256);
        CryptoConfig.AddAlgorithm(typeof(EcdsaSha384SignatureDescription), SamlNames.EcdsaSha384);
        CryptoConfig.AddAlgorithm(typeof(EcdsaSha512SignatureDescription), SamlNames.EcdsaSha512);
    }

    /// <summary>Makes sure the ECDSA descriptions are registered (for signers in tests and tools).</summary>
    public static void EnsureRegistered()
    {
    }

    /// <summary>
    /// Verifies <paramref name="signature"/>, a direct child of <paramref name="carrier"/>, with the pinned
    /// certificates, and returns the verified copy of the carrier.
    /// </summary>
    public static SignatureOutcome Verify(XmlElement carrier, XmlElement signature, IReadOnlyList<X509Certificate2> pinned, bool allowSha1)
    {
        var id = SecureXml.Attribute(carrier, "ID");
        if (string.IsNullOrEmpty(id))
        {
            return Refuse(SamlRefusalReason.ReferenceMismatch, $"the signed {carrier.LocalName} has no ID");
        }

        if (CheckShape(signature, id, allowSha1, out var ecdsa) is { } refusal)
        {
            return new SignatureOutcome(refusal, null);
        }

        var (copy, copySignature) = Isolate(carrier, signature);

        // KeyInfo is never used to verify, and SignedXml would parse the attacker's certificates in it. The enveloped
        // transform removes the whole signature from the digest, so dropping it changes nothing that is verified.
        foreach (var keyInfo in SecureXml.Children(copySignature, SamlNames.XmlDsig, "KeyInfo").ToList())
        {
            copySignature.RemoveChild(keyInfo);
        }

        var signedXml = new PinnedSignedXml(copy.OwnerDocument, copy, id) { Resolver = DenyingResolver.Instance };
        try
        {
            signedXml.LoadXml(copySignature);
        }
        catch (Exception exception) when (exception is CryptographicException or FormatException)
        {
            // FormatException: SignedXml decodes SignatureValue and DigestValue with Convert.FromBase64String.
            return Refuse(SamlRefusalReason.MalformedSignature, exception.Message);
        }

        var triedKey = false;
        foreach (var certificate in pinned)
        {
            using AsymmetricAlgorithm? key = ecdsa ? certificate.GetECDsaPublicKey() : certificate.GetRSAPublicKey();
            if (key is null)
            {
                continue;
            }

            triedKey = true;
            signedXml.ReferenceResolved = false;
            bool valid;
            try
            {
                valid = signedXml.CheckSignature(key);
            }
            catch (Exception exception) when (exception is CryptographicException or FormatException)
            {
                return Refuse(SamlRefusalReason.MalformedSignature, exception.Message);
            }

            if (valid)
            {
                return new SignatureOutcome(null, copy);
            }

            // CheckSignature verifies SignedInfo first and resolves the reference only when that passed: a resolved
            // reference with a false result means the signed content was altered after signing.
            if (signedXml.ReferenceResolved)
            {
                return Refuse(SamlRefusalReason.DigestMismatch, $"the digest of {carrier.LocalName} {SecureXml.ForLog(id)} does not match");
            }
        }

        var why = triedKey ? "the signature does not verify with the pinned certificates" : "no pinned certificate has a key of the signature method's type";
        return CarriesForeignCertificate(signature, pinned)
            ? Refuse(SamlRefusalReason.UnpinnedSigningCertificate, why + "; KeyInfo carries another certificate")
            : Refuse(SamlRefusalReason.SignatureInvalid, why);
    }

    /// <summary>The allow-lists, checked on the XML before <see cref="SignedXml"/> sees it.</summary>
    internal static SamlRefusal? CheckShape(XmlElement signature, string id, bool allowSha1, out bool ecdsa)
    {
        ecdsa = false;
        XmlElement? signedInfo = null;
        var signatureValues = 0;
        var keyInfos = 0;
        foreach (var child in SecureXml.Children(signature))
        {
            if (SecureXml.Is(child, SamlNames.XmlDsig, "SignedInfo") && signedInfo is null && signatureValues == 0)
            {
                signedInfo = child;
            }
            else if (SecureXml.Is(child, SamlNames.XmlDsig, "SignatureValue") && signedInfo is not null)
            {
                signatureValues++;
            }
            else if (SecureXml.Is(child, SamlNames.XmlDsig, "KeyInfo") && signatureValues == 1)
            {
                keyInfos++;
            }
            else
            {
                // ds:Object and anything else: SAML signatures carry none, and XSW8 hides the original there.
                return new SamlRefusal(SamlRefusalReason.MalformedSignature, $"unexpected {SecureXml.ForLog(child.Name)} in the signature");
            }
        }

        if (signedInfo is null || signatureValues != 1 || keyInfos > 1)
        {
            return new SamlRefusal(SamlRefusalReason.MalformedSignature, "a signature needs one SignedInfo, one SignatureValue and at most one KeyInfo");
        }

        XmlElement? canonicalization = null, method = null, reference = null;
        var references = 0;
        foreach (var child in SecureXml.Children(signedInfo))
        {
            if (SecureXml.Is(child, SamlNames.XmlDsig, "CanonicalizationMethod") && canonicalization is null && method is null && references == 0)
            {
                canonicalization = child;
            }
            else if (SecureXml.Is(child, SamlNames.XmlDsig, "SignatureMethod") && canonicalization is not null && method is null && references == 0)
            {
                method = child;
            }
            else if (SecureXml.Is(child, SamlNames.XmlDsig, "Reference") && method is not null)
            {
                reference = child;
                references++;
            }
            else
            {
                return new SamlRefusal(SamlRefusalReason.MalformedSignature, $"unexpected {SecureXml.ForLog(child.Name)} in SignedInfo");
            }
        }

        if (canonicalization is null || method is null)
        {
            return new SamlRefusal(SamlRefusalReason.MalformedSignature, "SignedInfo needs CanonicalizationMethod and SignatureMethod");
        }

        if (references != 1 || reference is null)
        {
            return new SamlRefusal(SamlRefusalReason.ReferenceMismatch, $"SignedInfo has {references} references; SAML signatures have exactly one");
        }

        var c14n = SecureXml.Attribute(canonicalization, "Algorithm");
        if (c14n != SamlNames.ExclusiveC14N || !OnlyInclusiveNamespaces(canonicalization))
        {
            return new SamlRefusal(SamlRefusalReason.CanonicalizationNotAllowed, $"canonicalization {SecureXml.ForLog(c14n)}");
        }

        var signatureMethod = SecureXml.Attribute(method, "Algorithm") ?? "";
        if (!SignatureMethods.TryGetValue(signatureMethod, out var signatureTraits) || SecureXml.Children(method).Any())
        {
            return new SamlRefusal(SamlRefusalReason.SignatureAlgorithmNotAllowed, $"signature method {SecureXml.ForLog(signatureMethod)}");
        }

        if (signatureTraits.Sha1 && !allowSha1)
        {
            return new SamlRefusal(SamlRefusalReason.Sha1NotAllowed, $"signature method {signatureMethod}");
        }

        ecdsa = signatureTraits.Ecdsa;
        return CheckReference(reference, id, allowSha1);
    }

    private static SamlRefusal? CheckReference(XmlElement reference, string id, bool allowSha1)
    {
        var uri = SecureXml.Attribute(reference, "URI");
        if (uri != "#" + id)
        {
            return new SamlRefusal(SamlRefusalReason.ReferenceMismatch, $"the reference {SecureXml.ForLog(uri)} does not point at the signed element #{SecureXml.ForLog(id)}");
        }

        XmlElement? transforms = null, digestMethod = null, digestValue = null;
        foreach (var child in SecureXml.Children(reference))
        {
            if (SecureXml.Is(child, SamlNames.XmlDsig, "Transforms") && transforms is null && digestMethod is null)
            {
                transforms = child;
            }
            else if (SecureXml.Is(child, SamlNames.XmlDsig, "DigestMethod") && digestMethod is null)
            {
                digestMethod = child;
            }
            else if (SecureXml.Is(child, SamlNames.XmlDsig, "DigestValue") && digestMethod is not null && digestValue is null)
            {
                digestValue = child;
            }
            else
            {
                return new SamlRefusal(SamlRefusalReason.MalformedSignature, $"unexpected {SecureXml.ForLog(child.Name)} in Reference");
            }
        }

        if (digestMethod is null || digestValue is null)
        {
            return new SamlRefusal(SamlRefusalReason.MalformedSignature, "the reference needs DigestMethod and DigestValue");
        }

        // Exactly enveloped-signature, then exclusive c14n: what SAML core 5.4.3/5.4.4 profiles. Anything else (XPath,
        // XSLT, base64, inclusive or comment-keeping c14n, a repeated transform) could sign something other than the
        // element the reference names.
        var algorithms = transforms is null ? [] : SecureXml.Children(transforms).Select(t => (Element: t, Algorithm: SecureXml.Attribute(t, "Algorithm"))).ToList();
        if (transforms is not null && SecureXml.Children(transforms).Any(t => !SecureXml.Is(t, SamlNames.XmlDsig, "Transform")))
        {
            return new SamlRefusal(SamlRefusalReason.MalformedSignature, "unexpected element in Transforms");
        }

        if (algorithms.Count != 2 || algorithms[0].Algorithm != SamlNames.EnvelopedSignature || algorithms[1].Algorithm != SamlNames.ExclusiveC14N
            || SecureXml.Children(algorithms[0].Element).Any() || !OnlyInclusiveNamespaces(algorithms[1].Element))
        {
            return new SamlRefusal(SamlRefusalReason.TransformNotAllowed, $"transforms [{string.Join(", ", algorithms.Select(a => SecureXml.ForLog(a.Algorithm)))}]; only enveloped-signature then exc-c14n");
        }

        var digest = SecureXml.Attribute(digestMethod, "Algorithm") ?? "";
        if (!DigestMethods.TryGetValue(digest, out var digestSha1))
        {
            return new SamlRefusal(SamlRefusalReason.DigestAlgorithmNotAllowed, $"digest method {SecureXml.ForLog(digest)}");
        }

        return digestSha1 && !allowSha1 ? new SamlRefusal(SamlRefusalReason.Sha1NotAllowed, $"digest method {digest}") : null;
    }

    /// <summary>Exclusive c14n may name prefixes to keep (<c>ec:InclusiveNamespaces</c>); nothing else.</summary>
    private static bool OnlyInclusiveNamespaces(XmlElement method)
    {
        var children = SecureXml.Children(method).ToList();
        return children.Count == 0 || (children.Count == 1 && SecureXml.Is(children[0], ExcC14NNamespace, "InclusiveNamespaces") && !SecureXml.Children(children[0]).Any());
    }

    /// <summary>
    /// Copies the carrier into a document of its own, with the namespace declarations it inherits, so that the copy
    /// canonicalizes exactly as the carrier does in place.
    /// </summary>
    private static (XmlElement Copy, XmlElement Signature) Isolate(XmlElement carrier, XmlElement signature)
    {
        var index = 0;
        for (var node = carrier.FirstChild; node != signature; node = node!.NextSibling)
        {
            index++;
        }

        var document = SecureXml.NewDocument();
        var copy = (XmlElement)document.ImportNode(carrier, deep: true);
        document.AppendChild(copy);
        for (var ancestor = carrier.ParentNode as XmlElement; ancestor is not null; ancestor = ancestor.ParentNode as XmlElement)
        {
            foreach (XmlAttribute attribute in ancestor.Attributes)
            {
                if (attribute.NamespaceURI == XmlnsNamespace && copy.GetAttributeNode(attribute.LocalName == "xmlns" && attribute.Prefix.Length == 0 ? "xmlns" : attribute.Name) is null)
                {
                    var declaration = document.CreateAttribute(attribute.Name, XmlnsNamespace);
                    declaration.Value = attribute.Value;
                    copy.Attributes.Append(declaration);
                }
            }
        }

        return (copy, (XmlElement)copy.ChildNodes[index]!);
    }

    private static bool CarriesForeignCertificate(XmlElement signature, IReadOnlyList<X509Certificate2> pinned)
    {
        var keyInfo = SecureXml.Children(signature, SamlNames.XmlDsig, "KeyInfo").FirstOrDefault();
        if (keyInfo is null)
        {
            return false;
        }

        foreach (var certificate in SecureXml.Elements(keyInfo).Where(e => SecureXml.Is(e, SamlNames.XmlDsig, "X509Certificate")))
        {
            if (SecureXml.ReadText(certificate, out var text) != TextRead.Ok)
            {
                return true;
            }

            var bytes = new byte[text.Length];
            if (!Convert.TryFromBase64String(text, bytes, out var length)
                || !pinned.Any(p => p.RawDataMemory.Span.SequenceEqual(bytes.AsSpan(0, length))))
            {
                return true;
            }
        }

        return false;
    }

    private static SignatureOutcome Refuse(SamlRefusalReason reason, string detail) => new(new SamlRefusal(reason, detail), null);

    /// <summary>A <see cref="SignedXml"/> whose ID lookup returns the one element the caller resolved, nothing else.</summary>
    private sealed class PinnedSignedXml(XmlDocument document, XmlElement target, string id) : SignedXml(document)
    {
        public bool ReferenceResolved { get; set; }

        public override XmlElement? GetIdElement(XmlDocument? document, string idValue)
        {
            ReferenceResolved = true;
            return string.Equals(idValue, id, StringComparison.Ordinal) && ReferenceEquals(document, target.OwnerDocument) ? target : null;
        }
    }
}
