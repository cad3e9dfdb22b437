using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Kastell.Server.Platform.Encryption;

/// <summary>
/// Encrypts the secret of each data-protection key (cookies, antiforgery, session tickets) before it is stored:
/// a fresh AES-256-GCM key per element, wrapped by the KEK (format <c>kdp1</c>, see ADR 0006). Rotation re-wraps
/// <c>wrappedKey</c> in place, so the key ring survives the retirement of an old KEK.
/// </summary>
internal sealed class KekXmlEncryptor(IKeyEncryptionKeyProvider kek) : IXmlEncryptor
{
    public const string ElementName = "kastellEncrypted";
    private const string Format = "kdp1";
    private static readonly byte[] ValueAssociatedData = Encoding.UTF8.GetBytes("kastell/data-protection-key/v1");
    internal static readonly byte[] WrapAssociatedData = Encoding.UTF8.GetBytes("kastell/data-protection-key-wrap/v1");

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var key = RandomNumberGenerator.GetBytes(AesGcmBlob.KeySize);
        try
        {
            var value = AesGcmBlob.Seal(key, Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting)), ValueAssociatedData);
            var version = kek.CurrentVersion();
            var element = new XElement(ElementName,
                new XAttribute("format", Format),
                new XAttribute("kekVersion", version),
                new XElement("wrappedKey", Convert.ToBase64String(kek.Wrap(version, key, WrapAssociatedData))),
                new XElement("value", Convert.ToBase64String(value)));
            return new EncryptedXmlInfo(element, typeof(KekXmlDecryptor));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    internal static XElement Decrypt(IKeyEncryptionKeyProvider kek, XElement encryptedElement)
    {
        if (encryptedElement.Name != ElementName || (string?)encryptedElement.Attribute("format") != Format)
        {
            throw new DecryptionFailedException($"A data-protection key is not in the {Format} format.");
        }

        var version = (int)encryptedElement.Attribute("kekVersion")!;
        var key = kek.Unwrap(version, Convert.FromBase64String((string)encryptedElement.Element("wrappedKey")!), WrapAssociatedData);
        try
        {
            var plaintext = AesGcmBlob.Open(key, Convert.FromBase64String((string)encryptedElement.Element("value")!), ValueAssociatedData, "A data-protection key");
            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Re-wraps every encrypted element in a stored key with <paramref name="toVersion"/>; true if anything changed.</summary>
    internal static bool Rewrap(IKeyEncryptionKeyProvider kek, XElement storedKey, int toVersion)
    {
        var changed = false;
        foreach (var element in storedKey.Descendants(ElementName).Where(e => (int)e.Attribute("kekVersion")! != toVersion))
        {
            var wrappedKey = element.Element("wrappedKey")!;
            var key = kek.Unwrap((int)element.Attribute("kekVersion")!, Convert.FromBase64String(wrappedKey.Value), WrapAssociatedData);
            wrappedKey.Value = Convert.ToBase64String(kek.Wrap(toVersion, key, WrapAssociatedData));
            element.SetAttributeValue("kekVersion", toVersion);
            CryptographicOperations.ZeroMemory(key);
            changed = true;
        }

        return changed;
    }
}

/// <summary>Created by data protection by type name, with the application's services.</summary>
internal sealed class KekXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement) =>
        KekXmlEncryptor.Decrypt(services.GetRequiredService<IKeyEncryptionKeyProvider>(), encryptedElement);
}
