using System.Xml;
using Kastell.Saml.Tests.Infrastructure;
using Idp = Kastell.Saml.Tests.Infrastructure.TestIdentityProvider;

namespace Kastell.Saml.Tests.Metadata;

public sealed class SamlMetadataWriterTests
{
    [Fact]
    public void ServiceProviderMetadata_DeclaresEntityAcsKeysAndSignedAssertions()
    {
        var xml = SamlMetadataWriter.WriteServiceProvider(Harness.ServiceProvider(), ["urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"]);
        var document = Idp.Load(xml);
        var namespaces = new XmlNamespaceManager(document.NameTable);
        namespaces.AddNamespace("md", SamlNames.Metadata);
        namespaces.AddNamespace("ds", SamlNames.XmlDsig);

        Assert.Equal(ResponseSpec.SpEntityId, document.DocumentElement!.GetAttribute("entityID"));
        var descriptor = (XmlElement)document.SelectSingleNode("/md:EntityDescriptor/md:SPSSODescriptor", namespaces)!;
        Assert.Equal("true", descriptor.GetAttribute("WantAssertionsSigned"));
        Assert.Equal("true", descriptor.GetAttribute("AuthnRequestsSigned"));
        Assert.Equal(SamlNames.Protocol, descriptor.GetAttribute("protocolSupportEnumeration"));
        var acs = (XmlElement)descriptor.SelectSingleNode("md:AssertionConsumerService", namespaces)!;
        Assert.Equal(SamlNames.HttpPostBinding, acs.GetAttribute("Binding"));
        Assert.Equal(ResponseSpec.AcsUrl, acs.GetAttribute("Location"));
        Assert.Equal(Convert.ToBase64String(TestKeys.Shared.SpSigning.RawData), descriptor.SelectSingleNode("md:KeyDescriptor[@use='signing']//ds:X509Certificate", namespaces)!.InnerText);
        Assert.Equal(Convert.ToBase64String(TestKeys.Shared.SpEncryption.RawData), descriptor.SelectSingleNode("md:KeyDescriptor[@use='encryption']//ds:X509Certificate", namespaces)!.InnerText);
        Assert.Equal(SamlNames.Aes256Gcm, ((XmlElement)descriptor.SelectSingleNode("md:KeyDescriptor[@use='encryption']/md:EncryptionMethod", namespaces)!).GetAttribute("Algorithm"));
        Assert.Equal("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", descriptor.SelectSingleNode("md:NameIDFormat", namespaces)!.InnerText);
    }

    [Fact]
    public void ServiceProviderMetadata_WithoutKeys_SaysRequestsAreUnsigned()
    {
        var sp = new SamlServiceProvider(ResponseSpec.SpEntityId, ResponseSpec.AcsUrl);
        var document = Idp.Load(SamlMetadataWriter.WriteServiceProvider(sp));

        var descriptor = (XmlElement)document.GetElementsByTagName("SPSSODescriptor", SamlNames.Metadata)[0]!;
        Assert.Equal("false", descriptor.GetAttribute("AuthnRequestsSigned"));
        Assert.Equal("true", descriptor.GetAttribute("WantAssertionsSigned"));
        Assert.Empty(document.GetElementsByTagName("KeyDescriptor", SamlNames.Metadata).OfType<XmlElement>());
    }

    [Fact]
    public void ServiceProviderMetadata_EscapesValues()
    {
        var sp = new SamlServiceProvider("https://kastell.test/saml?org=a&b=\"c\"", ResponseSpec.AcsUrl);
        var document = Idp.Load(SamlMetadataWriter.WriteServiceProvider(sp));
        Assert.Equal("https://kastell.test/saml?org=a&b=\"c\"", document.DocumentElement!.GetAttribute("entityID"));
    }
}
