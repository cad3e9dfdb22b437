using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml;
using Kastell.Saml.Xml;

namespace Kastell.Saml.Encryption;

/// <summary>
/// Decrypts a <c>saml:EncryptedAssertion</c> in place: RSA-OAEP key transport with one of the service provider's
/// keys, then AES-GCM or AES-CBC content, then the plaintext parsed as exactly one assertion with the same hardened
/// settings as the response. <see cref="System.Security.Cryptography.Xml.EncryptedXml"/> is not used: it knows neither AES-GCM nor OAEP with SHA-2,
/// and it would follow <c>CipherReference</c> and <c>RetrievalMethod</c> URIs.
/// Every failure after the algorithm checks is reported as <see cref="SamlRefusalReason.DecryptionFailed"/>, so that
/// a padding or parse error cannot be told from a wrong key (the CBC padding oracle of XML Encryption).
/// </summary>
internal static class AssertionDecryptor
{
    private const int MaxEncryptedKeys = 4;

    private static readonly Dictionary<string, (int KeyBytes, bool Gcm)> ContentAlgorithms = new(StringComparer.Ordinal)
    {
        [SamlNames.Aes128Gcm] = (16, true),
        [SamlNames.Aes192Gcm] = (24, true),
        [SamlNames.Aes256Gcm] = (32, true),
        [SamlNames.Aes128Cbc] = (16, false),
        [SamlNames.Aes192Cbc] = (24, false),
        [SamlNames.Aes256Cbc] = (32, false),
    };

    /// <summary>OAEP digest and MGF hashes by URI; .NET's OAEP uses one hash for both, so they must agree.</summary>
    private static readonly Dictionary<string, HashAlgorithmName> OaepDigests = new(StringComparer.Ordinal)
    {
        [SamlNames.Sha1] = HashAlgorithmName.SHA1,
        [SamlNames.Sha256] = HashAlgorithmName.SHA256,
        [SamlNames.Sha384] = HashAlgorithmName.SHA384,
        [SamlNames.Sha512] = HashAlgorithmName.SHA512,
    };

    private static readonly Dictionary<string, HashAlgorithmName> Mgf1Hashes = new(StringComparer.Ordinal)
    {
        [SamlNames.Mgf1Sha1] = HashAlgorithmName.SHA1,
        [SamlNames.Mgf1Sha256] = HashAlgorithmName.SHA256,
        [SamlNames.Mgf1Sha384] = HashAlgorithmName.SHA384,
        [SamlNames.Mgf1Sha512] = HashAlgorithmName.SHA512,
    };

    /// <summary>Replaces <paramref name="encryptedAssertion"/> by the decrypted assertion and returns it.</summary>
    public static (SamlRefusal? Refusal, XmlElement? Assertion) DecryptInPlace(XmlElement encryptedAssertion, IReadOnlyList<X509Certificate2> decryptionCertificates, int maxBytes)
    {
        if (decryptionCertificates.Count == 0)
        {
            return Refuse(SamlRefusalReason.NoDecryptionKey, "the assertion is encrypted but no decryption certificate is configured");
        }

        var encryptedData = SecureXml.Single(encryptedAssertion, SamlNames.XmlEnc, "EncryptedData", out _);
        if (encryptedData is null)
        {
            return Refuse(SamlRefusalReason.DecryptionFailed, "EncryptedAssertion needs exactly one EncryptedData");
        }

        var type = SecureXml.Attribute(encryptedData, "Type");
        if (type is not null && type != SamlNames.EncryptedElementType)
        {
            return Refuse(SamlRefusalReason.DecryptionFailed, $"EncryptedData of type {SecureXml.ForLog(type)}");
        }

        var contentMethod = SecureXml.Single(encryptedData, SamlNames.XmlEnc, "EncryptionMethod", out _);
        var contentAlgorithm = contentMethod is null ? null : SecureXml.Attribute(contentMethod, "Algorithm");
        if (contentAlgorithm is null || !ContentAlgorithms.TryGetValue(contentAlgorithm, out var content))
        {
            return Refuse(SamlRefusalReason.EncryptionAlgorithmNotAllowed, $"content encryption {SecureXml.ForLog(contentAlgorithm)}");
        }

        if (CipherValue(encryptedData) is not { } cipherText)
        {
            return Refuse(SamlRefusalReason.DecryptionFailed, "EncryptedData needs one base64 CipherValue");
        }

        var keyInfo = SecureXml.Single(encryptedData, SamlNames.XmlDsig, "KeyInfo", out _);
        var encryptedKeys = (keyInfo is null ? [] : SecureXml.Children(keyInfo, SamlNames.XmlEnc, "EncryptedKey"))
            .Concat(SecureXml.Children(encryptedAssertion, SamlNames.XmlEnc, "EncryptedKey"))
            .ToList();
        if (encryptedKeys.Count is 0 or > MaxEncryptedKeys)
        {
            return Refuse(SamlRefusalReason.DecryptionFailed, $"{encryptedKeys.Count} encrypted keys; between 1 and {MaxEncryptedKeys} are read");
        }

        var transports = new List<(byte[] Cipher, RSAEncryptionPadding Padding)>();
        foreach (var encryptedKey in encryptedKeys)
        {
            var transport = KeyTransport(encryptedKey, out var refusal);
            if (transport is null)
            {
                return (refusal, null);
            }

            transports.Add(transport.Value);
        }

        var contentKey = UnwrapKey(transports, decryptionCertificates, content.KeyBytes);
        var plaintext = contentKey is null ? null : content.Gcm ? DecryptGcm(contentKey, cipherText) : DecryptCbc(contentKey, cipherText);
        if (plaintext is null || plaintext.Length > maxBytes)
        {
            return Refuse(SamlRefusalReason.DecryptionFailed, "the encrypted assertion could not be decrypted");
        }

        var assertion = ParseInContext(encryptedAssertion, plaintext);
        if (assertion is null)
        {
            return Refuse(SamlRefusalReason.DecryptionFailed, "the encrypted assertion could not be decrypted");
        }

        encryptedAssertion.ParentNode!.ReplaceChild(assertion, encryptedAssertion);
        return (null, assertion);
    }

    private static (byte[] Cipher, RSAEncryptionPadding Padding)? KeyTransport(XmlElement encryptedKey, out SamlRefusal? refusal)
    {
        refusal = null;
        var method = SecureXml.Single(encryptedKey, SamlNames.XmlEnc, "EncryptionMethod", out _);
        var algorithm = method is null ? null : SecureXml.Attribute(method, "Algorithm");
        if (method is null || (algorithm != SamlNames.RsaOaepMgf1P && algorithm != SamlNames.RsaOaep))
        {
            // rsa-1_5 lands here on purpose: PKCS#1 v1.5 decryption is Bleichenbacher's oracle.
            refusal = new SamlRefusal(SamlRefusalReason.EncryptionAlgorithmNotAllowed, $"key transport {SecureXml.ForLog(algorithm)}");
            return null;
        }

        var digestMethod = SecureXml.Single(method, SamlNames.XmlDsig, "DigestMethod", out var digestCount);
        var digestUri = digestMethod is null ? SamlNames.Sha1 : SecureXml.Attribute(digestMethod, "Algorithm") ?? "";
        var mgfMethod = SecureXml.Single(method, SamlNames.XmlEnc11, "MGF", out var mgfCount);
        var mgfUri = mgfMethod is null ? SamlNames.Mgf1Sha1 : SecureXml.Attribute(mgfMethod, "Algorithm") ?? "";
        if (digestCount > 1 || mgfCount > 1 || (algorithm == SamlNames.RsaOaepMgf1P && mgfCount > 0)
            || SecureXml.Children(method, SamlNames.XmlEnc, "OAEPparams").Any()
            || !OaepDigests.TryGetValue(digestUri, out var digest) || !Mgf1Hashes.TryGetValue(mgfUri, out var mgf) || digest != mgf)
        {
            refusal = new SamlRefusal(SamlRefusalReason.EncryptionAlgorithmNotAllowed, $"OAEP with digest {SecureXml.ForLog(digestUri)} and MGF {SecureXml.ForLog(mgfUri)}; the hashes must agree and no OAEP label is supported");
            return null;
        }

        if (CipherValue(encryptedKey) is not { } cipher)
        {
            refusal = new SamlRefusal(SamlRefusalReason.DecryptionFailed, "EncryptedKey needs one base64 CipherValue");
            return null;
        }

        return (cipher, RSAEncryptionPadding.CreateOaep(digest));
    }

    private static byte[]? UnwrapKey(List<(byte[] Cipher, RSAEncryptionPadding Padding)> transports, IReadOnlyList<X509Certificate2> certificates, int keyBytes)
    {
        foreach (var certificate in certificates)
        {
            using var rsa = certificate.GetRSAPrivateKey();
            if (rsa is null)
            {
                continue;
            }

            foreach (var (cipher, padding) in transports)
            {
                try
                {
                    var key = rsa.Decrypt(cipher, padding);
                    if (key.Length == keyBytes)
                    {
                        return key;
                    }
                }
                catch (CryptographicException)
                {
                    // Not for this key (several recipients, or a key rollover): try the next one.
                }
            }
        }

        return null;
    }

    private static byte[]? DecryptGcm(byte[] key, byte[] data)
    {
        const int nonceBytes = 12, tagBytes = 16;
        if (data.Length < nonceBytes + tagBytes)
        {
            return null;
        }

        var plaintext = new byte[data.Length - nonceBytes - tagBytes];
        try
        {
            using var aes = new AesGcm(key, tagBytes);
            aes.Decrypt(data.AsSpan(0, nonceBytes), data.AsSpan(nonceBytes, plaintext.Length), data.AsSpan(data.Length - tagBytes), plaintext);
            return plaintext;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static byte[]? DecryptCbc(byte[] key, byte[] data)
    {
        const int block = 16;
        if (data.Length < 2 * block || data.Length % block != 0)
        {
            return null;
        }

        using var aes = Aes.Create();
        aes.Key = key;
        var padded = aes.DecryptCbc(data.AsSpan(block), data.AsSpan(0, block), PaddingMode.None);

        // XML Encryption's padding: the last byte counts the padding bytes, the others are arbitrary (ISO 10126).
        var pad = padded[^1];
        return pad is >= 1 and <= block ? padded[..^pad] : null;
    }

    private static byte[]? CipherValue(XmlElement parent)
    {
        var cipherData = SecureXml.Single(parent, SamlNames.XmlEnc, "CipherData", out _);
        var cipherValue = cipherData is null ? null : SecureXml.Single(cipherData, SamlNames.XmlEnc, "CipherValue", out _);
        if (cipherValue is null || SecureXml.Children(cipherData!).Count() != 1 || SecureXml.ReadText(cipherValue, out var text) != TextRead.Ok)
        {
            return null;
        }

        var bytes = new byte[text.Length];
        return Convert.TryFromBase64String(text, bytes, out var length) && length > 0 ? bytes[..length] : null;
    }

    /// <summary>
    /// Parses the plaintext with the namespaces in scope at the encrypted assertion (the IdP may rely on them), as a
    /// fragment that must be exactly one <c>saml:Assertion</c>, with DTDs prohibited and the depth limited.
    /// </summary>
    private static XmlElement? ParseInContext(XmlElement encryptedAssertion, byte[] plaintext)
    {
        var document = encryptedAssertion.OwnerDocument;
        var namespaces = new XmlNamespaceManager(document.NameTable);
        var declared = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var element = encryptedAssertion; element is not null; element = element.ParentNode as XmlElement)
        {
            foreach (XmlAttribute attribute in element.Attributes)
            {
                if (attribute.NamespaceURI == "http://www.w3.org/2000/xmlns/")
                {
                    var prefix = attribute.Prefix.Length == 0 ? "" : attribute.LocalName;
                    if (declared.TryAdd(prefix, attribute.Value))
                    {
                        namespaces.AddNamespace(prefix, attribute.Value);
                    }
                }
            }
        }

        var settings = SecureXml.ReaderSettings(plaintext.LongLength * 4 + 1024);
        settings.ConformanceLevel = ConformanceLevel.Fragment;
        var context = new XmlParserContext(document.NameTable, namespaces, null, XmlSpace.None);
        try
        {
            using (var reader = XmlReader.Create(new MemoryStream(plaintext, writable: false), settings, context))
            {
                while (reader.Read())
                {
                    if (reader.Depth > SecureXml.MaxDepth)
                    {
                        return null;
                    }
                }
            }

            XmlElement? assertion = null;
            using (var reader = XmlReader.Create(new MemoryStream(plaintext, writable: false), settings, context))
            {
                reader.MoveToContent();
                while (!reader.EOF)
                {
                    switch (reader.NodeType)
                    {
                        case XmlNodeType.Element when assertion is null:
                            assertion = document.ReadNode(reader) as XmlElement;
                            break;
                        case XmlNodeType.Whitespace or XmlNodeType.XmlDeclaration:
                            reader.Read();
                            break;
                        default:
                            return null;
                    }
                }
            }

            if (!SecureXml.Is(assertion, SamlNames.Assertion, "Assertion"))
            {
                return null;
            }

            // Declarations the plaintext inherited from the removed EncryptedAssertion element are added to the
            // assertion itself, so that it canonicalizes as the IdP signed it.
            foreach (var (prefix, uri) in declared)
            {
                var name = prefix.Length == 0 ? "xmlns" : "xmlns:" + prefix;
                if (assertion!.GetAttributeNode(name) is null)
                {
                    var declaration = document.CreateAttribute(name, "http://www.w3.org/2000/xmlns/");
                    declaration.Value = uri;
                    assertion.Attributes.Append(declaration);
                }
            }

            return assertion;
        }
        catch (XmlException)
        {
            return null;
        }
    }

    private static (SamlRefusal? Refusal, XmlElement? Assertion) Refuse(SamlRefusalReason reason, string detail) => (new SamlRefusal(reason, detail), null);
}
