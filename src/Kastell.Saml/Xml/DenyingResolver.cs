using System.Net;
using System.Xml;

namespace Kastell.Saml.Xml;

/// <summary>
/// A resolver that resolves nothing. <see cref="System.Security.Cryptography.Xml.SignedXml"/> falls back to a URL
/// resolver when none is set; with this one, a reference or transform that wanted to fetch a file or a URL fails.
/// </summary>
internal sealed class DenyingResolver : XmlResolver
{
    public static readonly DenyingResolver Instance = new();

    public override ICredentials Credentials
    {
        set { }
    }

    public override object GetEntity(Uri absoluteUri, string? role, Type? ofObjectToReturn) =>
        throw new XmlException("External resources are never resolved.");
}
