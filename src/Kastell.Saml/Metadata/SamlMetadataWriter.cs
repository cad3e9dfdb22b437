using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml;

namespace Kastell.Saml;

/// <summary>
/// Writes this service provider's metadata for an identity provider to import: entity id, the HTTP-POST ACS URL,
/// <c>AuthnRequestsSigned</c> (true when a signing certificate is configured), <c>WantAssertionsSigned="true"</c>
/// (the validator requires it by default), and the signing and encryption certificates. The encryption key
/// descriptor lists AES-GCM before AES-CBC and RSA-OAEP only, so an IdP that reads it picks authenticated encryption.
/// </summary>
public static class SamlMetadataWriter
{
    /// <summary>Writes the SP metadata document.</summary>
    /// <param name="serviceProvider">The service provider.</param>
    /// <param name="nameIdFormats">NameID formats to declare, in order of preference.</param>
    public static string WriteServiceProvider(SamlServiceProvider serviceProvider, IReadOnlyList<string>? nameIdFormats = null)
    {
        ArgumentNullException.ThrowIfNull(serviceProvider);
        // Written as UTF-8 bytes: a writer over a string would declare encoding="utf-16", wrong for the file an IdP imports.
        using var buffer = new MemoryStream();
        var settings = new XmlWriterSettings { Indent = true, OmitXmlDeclaration = false, Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false) };
        using (var writer = XmlWriter.Create(buffer, settings))
        {
            writer.WriteStartElement("md", "EntityDescriptor", SamlNames.Metadata);
            writer.WriteAttributeString("xmlns", "ds", null, SamlNames.XmlDsig);
            writer.WriteAttributeString("entityID", serviceProvider.EntityId);
            writer.WriteStartElement("md", "SPSSODescriptor", SamlNames.Metadata);
            writer.WriteAttributeString("AuthnRequestsSigned", serviceProvider.SigningCertificate is null ? "false" : "true");
            writer.WriteAttributeString("WantAssertionsSigned", "true");
            writer.WriteAttributeString("protocolSupportEnumeration", SamlNames.Protocol);
            if (serviceProvider.SigningCertificate is { } signing)
            {
                WriteKeyDescriptor(writer, "signing", signing, encryption: false);
            }

            foreach (var certificate in serviceProvider.DecryptionCertificates)
            {
                WriteKeyDescriptor(writer, "encryption", certificate, encryption: true);
            }

            foreach (var format in nameIdFormats ?? [])
            {
                writer.WriteElementString("md", "NameIDFormat", SamlNames.Metadata, format);
            }

            writer.WriteStartElement("md", "AssertionConsumerService", SamlNames.Metadata);
            writer.WriteAttributeString("Binding", SamlNames.HttpPostBinding);
            writer.WriteAttributeString("Location", serviceProvider.AssertionConsumerServiceUrl);
            writer.WriteAttributeString("index", "0");
            writer.WriteAttributeString("isDefault", "true");
            writer.WriteEndElement();
            writer.WriteEndElement();
            writer.WriteEndElement();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteKeyDescriptor(XmlWriter writer, string use, X509Certificate2 certificate, bool encryption)
    {
        writer.WriteStartElement("md", "KeyDescriptor", SamlNames.Metadata);
        writer.WriteAttributeString("use", use);
        writer.WriteStartElement("ds", "KeyInfo", SamlNames.XmlDsig);
        writer.WriteStartElement("ds", "X509Data", SamlNames.XmlDsig);
        writer.WriteElementString("ds", "X509Certificate", SamlNames.XmlDsig, Convert.ToBase64String(certificate.RawData));
        writer.WriteEndElement();
        writer.WriteEndElement();
        if (encryption)
        {
            foreach (var algorithm in new[] { SamlNames.Aes256Gcm, SamlNames.Aes128Gcm, SamlNames.Aes256Cbc, SamlNames.Aes128Cbc, SamlNames.RsaOaepMgf1P, SamlNames.RsaOaep })
            {
                writer.WriteStartElement("md", "EncryptionMethod", SamlNames.Metadata);
                writer.WriteAttributeString("Algorithm", algorithm);
                writer.WriteEndElement();
            }
        }

        writer.WriteEndElement();
    }
}
