using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;

namespace Kastell.Saml.Xml;

/// <summary>Why <see cref="SecureXml.TryLoad"/> refused a document.</summary>
internal enum XmlLoadFailure
{
    None,
    Malformed,
    Dtd,
    TooDeep,
}

/// <summary>
/// The one place that turns untrusted bytes into a DOM. DTDs are prohibited (no entity expansion, no external
/// entities), no resolver is set anywhere (nothing is ever fetched), whitespace is preserved (signatures cover it),
/// and the nesting depth is checked with a streaming reader before the DOM and the recursive canonicalizer see the
/// document.
/// </summary>
internal static partial class SecureXml
{
    /// <summary>SAML messages nest about a dozen levels; the canonicalizer recurses per level.</summary>
    public const int MaxDepth = 40;

    public static XmlReaderSettings ReaderSettings(long maxCharacters) => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 0,
        MaxCharactersInDocument = maxCharacters,
        IgnoreComments = false,
        IgnoreProcessingInstructions = false,
        IgnoreWhitespace = false,
        CloseInput = false,
    };

    public static XmlDocument NewDocument() => new() { PreserveWhitespace = true, XmlResolver = null };

    public static XmlLoadFailure TryLoad(byte[] xml, out XmlDocument? document)
    {
        document = null;
        var settings = ReaderSettings(xml.LongLength * 4 + 1024);
        try
        {
            using (var reader = XmlReader.Create(new MemoryStream(xml, writable: false), settings))
            {
                while (reader.Read())
                {
                    if (reader.Depth > MaxDepth)
                    {
                        return XmlLoadFailure.TooDeep;
                    }
                }
            }

            var loaded = NewDocument();
            using (var reader = XmlReader.Create(new MemoryStream(xml, writable: false), settings))
            {
                loaded.Load(reader);
            }

            if (loaded.DocumentElement is null)
            {
                return XmlLoadFailure.Malformed;
            }

            document = loaded;
            return XmlLoadFailure.None;
        }
        catch (XmlException)
        {
            // The decision (refuse) does not depend on this: the check only picks the reason for the audit log.
            return LooksLikeDtd(xml) ? XmlLoadFailure.Dtd : XmlLoadFailure.Malformed;
        }
    }

    /// <summary>Whether the text contains a DOCTYPE (in UTF-8 or UTF-16), to name the refusal.</summary>
    private static bool LooksLikeDtd(byte[] xml)
    {
        var text = xml.Length >= 2 && (xml[0] == 0xFF || xml[0] == 0xFE || xml[0] == 0 || xml[1] == 0)
            ? Encoding.Unicode.GetString(xml).Replace("\0", "", StringComparison.Ordinal) + Encoding.BigEndianUnicode.GetString(xml)
            : Encoding.UTF8.GetString(xml);
        return text.Contains("<!DOCTYPE", StringComparison.Ordinal);
    }

    /// <summary>The depth of the deepest element under <paramref name="root"/>, counted without recursion.</summary>
    public static int Depth(XmlNode root)
    {
        var deepest = 0;
        var stack = new Stack<(XmlNode Node, int Depth)>();
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (node, depth) = stack.Pop();
            deepest = Math.Max(deepest, depth);
            for (var child = node.FirstChild; child is not null; child = child.NextSibling)
            {
                stack.Push((child, depth + 1));
            }
        }

        return deepest;
    }

    /// <summary>All elements under and including <paramref name="root"/> in document order, without recursion.</summary>
    public static IEnumerable<XmlElement> Elements(XmlNode root)
    {
        var stack = new Stack<XmlNode>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (node is XmlElement element)
            {
                yield return element;
            }

            for (var child = node.LastChild; child is not null; child = child.PreviousSibling)
            {
                if (child is XmlElement)
                {
                    stack.Push(child);
                }
            }
        }
    }

    public static bool Is(XmlNode? node, string namespaceUri, string localName) =>
        node is XmlElement element && element.LocalName == localName && element.NamespaceURI == namespaceUri;

    public static IEnumerable<XmlElement> Children(XmlElement parent) =>
        parent.ChildNodes.OfType<XmlElement>();

    public static IEnumerable<XmlElement> Children(XmlElement parent, string namespaceUri, string localName) =>
        Children(parent).Where(child => child.LocalName == localName && child.NamespaceURI == namespaceUri);

    /// <summary>The single child with that name; <see langword="null"/> when there is none or more than one.</summary>
    public static XmlElement? Single(XmlElement parent, string namespaceUri, string localName, out int count)
    {
        XmlElement? found = null;
        count = 0;
        foreach (var child in Children(parent, namespaceUri, localName))
        {
            count++;
            found = child;
        }

        return count == 1 ? found : null;
    }

    /// <summary>An attribute without namespace, or <see langword="null"/> when absent.</summary>
    public static string? Attribute(XmlElement element, string name) =>
        element.GetAttributeNode(name) is { } attribute ? attribute.Value : null;

    /// <summary>
    /// The text of an element that must hold nothing but text. Comments and processing instructions are refused
    /// rather than skipped: canonicalization drops comments, so <c>a@b.test&lt;!----&gt;.evil</c> is signed as
    /// <c>a@b.test.evil</c>, and a reader that took the first text node would see <c>a@b.test</c>.
    /// </summary>
    public static TextRead ReadText(XmlElement element, out string text)
    {
        var builder = new StringBuilder();
        text = "";
        for (var child = element.FirstChild; child is not null; child = child.NextSibling)
        {
            switch (child.NodeType)
            {
                case XmlNodeType.Text:
                case XmlNodeType.CDATA:
                case XmlNodeType.Whitespace:
                case XmlNodeType.SignificantWhitespace:
                    builder.Append(child.Value);
                    break;
                case XmlNodeType.Element:
                    return TextRead.HasElements;
                default:
                    return TextRead.HasMarkup;
            }
        }

        text = builder.ToString().Trim();
        return TextRead.Ok;
    }

    /// <summary>
    /// Parses an xs:dateTime that carries a zone (SAML core 1.3.3 wants UTC): a time without zone would be read in the
    /// server's local time.
    /// </summary>
    public static bool TryParseInstant(string? value, out DateTimeOffset instant)
    {
        instant = default;
        if (value is null || value.Length > 64 || !InstantPattern().IsMatch(value))
        {
            return false;
        }

        // More than 7 fractional digits are valid xs:dateTime but beyond DateTimeOffset's tick precision.
        var text = FractionPattern().Replace(value, match => match.Value.Length > 8 ? match.Value[..8] : match.Value);
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out instant);
    }

    /// <summary>Cleans a value from an unverified message for a log line: no control characters, at most 120 chars.</summary>
    public static string ForLog(string? value)
    {
        if (value is null)
        {
            return "(none)";
        }

        var cleaned = new string(value.Select(c => char.IsControl(c) ? '?' : c).Take(120).ToArray());
        return value.Length > 120 ? cleaned + "…" : cleaned;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,12})?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex InstantPattern();

    [GeneratedRegex(@"\.\d+", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex FractionPattern();
}

internal enum TextRead
{
    Ok,
    HasMarkup,
    HasElements,
}
