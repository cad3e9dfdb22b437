using System.Security.Cryptography;

namespace Kastell.Saml.Signatures;

/// <summary>
/// ECDSA for <see cref="System.Security.Cryptography.Xml.SignedXml"/>, which ships RSA descriptions only. Public
/// because <see cref="CryptoConfig.AddAlgorithm"/> accepts visible types only; registered once by
/// <see cref="SignatureVerifier"/> under the XML Signature 1.1 algorithm URIs. Signature values are r‖s
/// (IEEE P1363), as XML Signature 1.1 specifies. Not meant to be used directly.
/// </summary>
public abstract class EcdsaSignatureDescription : SignatureDescription
{
    private readonly HashAlgorithmName _hash;

    /// <summary>Creates the description for one hash.</summary>
    /// <param name="hash">The hash the signature method names.</param>
    protected EcdsaSignatureDescription(HashAlgorithmName hash)
    {
        _hash = hash;
        KeyAlgorithm = typeof(ECDsa).AssemblyQualifiedName;
    }

    /// <inheritdoc />
    public override HashAlgorithm CreateDigest() => _hash.Name switch
    {
        "SHA1" => SHA1.Create(),
        "SHA256" => SHA256.Create(),
        "SHA384" => SHA384.Create(),
        _ => SHA512.Create(),
    };

    /// <inheritdoc />
    public override AsymmetricSignatureDeformatter CreateDeformatter(AsymmetricAlgorithm key) =>
        new Deformatter(key as ECDsa ?? throw new CryptographicException("The signature method needs an ECDSA key."));

    /// <inheritdoc />
    public override AsymmetricSignatureFormatter CreateFormatter(AsymmetricAlgorithm key) =>
        new Formatter(key as ECDsa ?? throw new CryptographicException("The signature method needs an ECDSA key."));

    private sealed class Deformatter(ECDsa key) : AsymmetricSignatureDeformatter
    {
        public override void SetHashAlgorithm(string strName)
        {
        }

        public override void SetKey(AsymmetricAlgorithm key) => throw new NotSupportedException();

        public override bool VerifySignature(byte[] rgbHash, byte[] rgbSignature) => key.VerifyHash(rgbHash, rgbSignature);
    }

    private sealed class Formatter(ECDsa key) : AsymmetricSignatureFormatter
    {
        public override byte[] CreateSignature(byte[] rgbHash) => key.SignHash(rgbHash);

        public override void SetHashAlgorithm(string strName)
        {
        }

        public override void SetKey(AsymmetricAlgorithm key) => throw new NotSupportedException();
    }
}

/// <summary>ECDSA with SHA-1 (accepted only when SHA-1 is explicitly allowed).</summary>
public sealed class EcdsaSha1SignatureDescription() : EcdsaSignatureDescription(HashAlgorithmName.SHA1);

/// <summary>ECDSA with SHA-256.</summary>
public sealed class EcdsaSha256SignatureDescription() : EcdsaSignatureDescription(HashAlgorithmName.SHA256);

/// <summary>ECDSA with SHA-384.</summary>
public sealed class EcdsaSha384SignatureDescription() : EcdsaSignatureDescription(HashAlgorithmName.SHA384);

/// <summary>ECDSA with SHA-512.</summary>
public sealed class EcdsaSha512SignatureDescription() : EcdsaSignatureDescription(HashAlgorithmName.SHA512);
