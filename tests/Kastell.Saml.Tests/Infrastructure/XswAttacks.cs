using System.Xml;
using Idp = Kastell.Saml.Tests.Infrastructure.TestIdentityProvider;

namespace Kastell.Saml.Tests.Infrastructure;

/// <summary>
/// XML signature wrapping (XSW1–XSW8) as classified by Somorovsky et al., "On Breaking SAML: Be Whoever You Want to
/// Be" (USENIX Security 2012), built the way SAML Raider's <c>XSWHelpers</c> builds them. Shared by the tests and the
/// fuzz harness's seed corpus.
/// </summary>
public static class XswAttacks
{
    public const string Evil = "mallory@example.com";

    /// <summary>Builds one variant from a correctly signed response.</summary>
    public static XmlDocument Wrap(string variant, bool uniqueIds)
    {
        switch (variant)
        {
            case "XSW1" or "XSW2":
            {
                // XSW1: the signed response is cloned (without its signature) into the original's Signature element;
                // the outer response gets a new ID and evil content. A reader that follows the reference verifies the
                // clone, an application that reads the document element reads the evil response.
                // XSW2: the same clone, placed as a sibling just before the Signature (a detached signature).
                var document = Idp.SignedResponse();
                var response = Idp.Response(document);
                var signature = DirectSignature(response);
                var clone = (XmlElement)response.CloneNode(deep: true);
                clone.RemoveChild(DirectSignature(clone));
                MakeEvil(response);
                if (variant == "XSW1")
                {
                    signature.AppendChild(clone);
                }
                else
                {
                    response.InsertBefore(clone, signature);
                }

                response.SetAttribute("ID", "_evil_response");
                if (uniqueIds)
                {
                    OuterAssertion(response).SetAttribute("ID", "_evil_assertion");
                }

                return document;
            }

            case "XSW3" or "XSW4":
            {
                // XSW3: an unsigned evil assertion with a new ID is inserted before the signed one, for readers that
                // take the first assertion. XSW4: the evil assertion is appended and the signed one moved inside it.
                var document = Idp.SignedAssertion();
                var response = Idp.Response(document);
                var assertion = Idp.Assertion(document);
                var evil = (XmlElement)assertion.CloneNode(deep: true);
                evil.RemoveChild(DirectSignature(evil));
                evil.SetAttribute("ID", "_evil_assertion");
                MakeEvil(evil);
                if (variant == "XSW3")
                {
                    response.InsertBefore(evil, assertion);
                }
                else
                {
                    response.AppendChild(evil);
                    evil.AppendChild(assertion);
                }

                return document;
            }

            case "XSW5" or "XSW6":
            {
                // XSW5: the assertion in place becomes evil (new ID, keeps the original Signature), and an unsigned
                // copy of the original is appended to the response for the reference to find.
                // XSW6: the same copy, hidden inside the original Signature of the evil assertion.
                var document = Idp.SignedAssertion();
                var response = Idp.Response(document);
                var evil = Idp.Assertion(document);
                var copy = (XmlElement)evil.CloneNode(deep: true);
                copy.RemoveChild(DirectSignature(copy));
                MakeEvil(evil);
                evil.SetAttribute("ID", "_evil_assertion");
                if (variant == "XSW5")
                {
                    response.AppendChild(copy);
                }
                else
                {
                    DirectSignature(evil).AppendChild(copy);
                }

                return document;
            }

            case "XSW7":
            {
                // XSW7: an evil copy of the assertion (same ID) inside an Extensions element before the signed one;
                // schema-validating readers skip Extensions' content, ID lookups may still find it.
                var document = Idp.SignedAssertion();
                var response = Idp.Response(document);
                var assertion = Idp.Assertion(document);
                var extensions = document.CreateElement("Extensions");
                response.InsertBefore(extensions, assertion);
                var evil = (XmlElement)assertion.CloneNode(deep: true);
                evil.RemoveChild(DirectSignature(evil));
                MakeEvil(evil);
                if (uniqueIds)
                {
                    evil.SetAttribute("ID", "_evil_assertion");
                }

                extensions.AppendChild(evil);
                return document;
            }

            case "XSW8":
            {
                // XSW8: the assertion in place becomes evil but keeps its Signature; an unsigned copy of the original
                // is put into a new Object element inside that Signature, for the reference to find.
                var document = Idp.SignedAssertion();
                var evil = Idp.Assertion(document);
                var signature = DirectSignature(evil);
                var copy = (XmlElement)evil.CloneNode(deep: true);
                copy.RemoveChild(DirectSignature(copy));
                MakeEvil(evil);
                if (uniqueIds)
                {
                    evil.SetAttribute("ID", "_evil_assertion");
                }

                var objectElement = document.CreateElement("Object");
                signature.AppendChild(objectElement);
                objectElement.AppendChild(copy);
                return document;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(variant), variant, "no such variant");
        }
    }

    public static XmlElement DirectSignature(XmlElement element) =>
        element.ChildNodes.OfType<XmlElement>().Single(e => e.LocalName == "Signature" && e.NamespaceURI == Idp.Ds);

    private static XmlElement OuterAssertion(XmlElement response) =>
        response.ChildNodes.OfType<XmlElement>().Single(e => e.LocalName == "Assertion");

    private static void MakeEvil(XmlElement scope)
    {
        foreach (var element in scope.GetElementsByTagName("*").OfType<XmlElement>().Where(e => e.LocalName is "NameID" or "AttributeValue" && e.InnerText == "alice@example.com"))
        {
            element.InnerText = Evil;
        }
    }
}
