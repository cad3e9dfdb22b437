using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Kastell.Server.Platform.Audit;

/// <summary>
/// The ECDSA P-256 key that signs audit checkpoints. It lives in a file outside the database
/// (<c>&lt;DataDirectory&gt;/keys/audit-signing.key</c>), so whoever can rewrite the database alone cannot re-sign a
/// rewritten history. Created on first start readable by the owner only; a key file that group or others may read
/// stops Kastell instead of being used. The public key is written beside it for independent verifiers.
/// </summary>
public sealed class AuditSigningKey : IDisposable
{
    public const string FileName = "audit-signing.key";
    public const string PublicFileName = "audit-signing.pub.pem";

    private readonly ECDsa _key;

    private AuditSigningKey(ECDsa key)
    {
        _key = key;
        var spki = key.ExportSubjectPublicKeyInfo();
        KeyId = Convert.ToHexStringLower(SHA256.HashData(spki))[..16];
        PublicKeyPem = key.ExportSubjectPublicKeyInfoPem();
    }

    /// <summary>A fingerprint of the public key, stored with each checkpoint.</summary>
    public string KeyId { get; }

    public string PublicKeyPem { get; }

    public static AuditSigningKey LoadOrCreate(string keysDirectory)
    {
        Directory.CreateDirectory(keysDirectory);
        var path = Path.Combine(keysDirectory, FileName);
        if (!File.Exists(path))
        {
            using var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            OwnerOnlyFile.CreateNew(path, fresh.ExportPkcs8PrivateKeyPem());
        }

        var key = ECDsa.Create();
        key.ImportFromPem(OwnerOnlyFile.ReadAllText(path));
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new InvalidOperationException($"{path} is not an ECDSA P-256 key.");
        }

        var signing = new AuditSigningKey(key);
        File.WriteAllText(Path.Combine(keysDirectory, PublicFileName), signing.PublicKeyPem);
        return signing;
    }

    public string Sign(AuditCheckpoint checkpoint) =>
        Convert.ToBase64String(_key.SignData(Payload(checkpoint), HashAlgorithmName.SHA256));

    public bool Verify(AuditCheckpoint checkpoint)
    {
        if (checkpoint.KeyId != KeyId)
        {
            return false;
        }

        try
        {
            return _key.VerifyData(Payload(checkpoint), Convert.FromBase64String(checkpoint.Signature), HashAlgorithmName.SHA256);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// A keyed pseudonym (HMAC-SHA-256) for an identifier that must not be stored in clear, such as the e-mail typed
    /// at a failed sign-in. The key is derived from the signing key, so a database dump alone cannot reverse it.
    /// </summary>
    public string Pseudonym(string value)
    {
        var secret = HKDF.DeriveKey(HashAlgorithmName.SHA256, _key.ExportECPrivateKey(), 32, info: "kastell-audit-pseudonym/1"u8.ToArray());
        return "hmac1:" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(value)))[..32];
    }

    private static byte[] Payload(AuditCheckpoint c) => Encoding.UTF8.GetBytes(string.Join('\n',
        "kastell-audit-checkpoint/1",
        c.OrganizationId?.ToString("D") ?? "system",
        c.Sequence.ToString(CultureInfo.InvariantCulture),
        c.Hash,
        c.CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)));

    public void Dispose() => _key.Dispose();
}
