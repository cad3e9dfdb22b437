using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Kastell.Server.Tests.Platform.Siem;

/// <summary>One received RFC 5424 message, with the audit fields read back from its JSON or CEF body.</summary>
public sealed record ReceivedSyslog(int Priority, string MessageId, string Body, Guid? OrganizationId, long Sequence, string? Details, string Hash)
{
    /// <summary><c>&lt;PRI&gt;1 TIMESTAMP HOST APP PROCID MSGID SD MSG</c>, with "-" as structured data.</summary>
    public static ReceivedSyslog Parse(string line)
    {
        var parts = line.Split(' ', 8);
        Assert.Equal(8, parts.Length);
        Assert.StartsWith("<", parts[0], StringComparison.Ordinal);
        Assert.EndsWith(">1", parts[0], StringComparison.Ordinal);
        Assert.Equal("kastell", parts[3]);
        Assert.Equal("-", parts[6]);
        Assert.True(DateTimeOffset.TryParse(parts[1], CultureInfo.InvariantCulture, DateTimeStyles.None, out _), $"bad timestamp {parts[1]}");
        var priority = int.Parse(parts[0][1..^2], CultureInfo.InvariantCulture);
        var body = parts[7];
        return body.StartsWith("CEF:", StringComparison.Ordinal) ? FromCef(priority, parts[5], body) : FromJson(priority, parts[5], body);
    }

    private static ReceivedSyslog FromJson(int priority, string messageId, string body)
    {
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        var details = root.GetProperty("details");
        return new(priority, messageId, body,
            root.GetProperty("organizationId").GetString() is { } org ? Guid.Parse(org) : null,
            root.GetProperty("sequence").GetInt64(),
            details.ValueKind == JsonValueKind.Null ? null : JsonSerializer.Serialize(JsonSerializer.Deserialize<SortedDictionary<string, string>>(details.GetRawText())),
            root.GetProperty("hash").GetString()!);
    }

    private static ReceivedSyslog FromCef(int priority, string messageId, string body)
    {
        var (header, extensions) = ParseCef(body);
        Assert.Equal(["CEF:0", "Kastell", "Kastell", "1"], header[..4]);
        Assert.Equal(messageId, header[5]);
        return new(priority, messageId, body,
            extensions.TryGetValue("cs1", out var org) ? Guid.Parse(org) : null,
            long.Parse(extensions["cn1"], CultureInfo.InvariantCulture),
            extensions.GetValueOrDefault("msg"),
            extensions["cs6"]);
    }

    /// <summary>
    /// An independent CEF reader: seven header fields split at unescaped pipes, then <c>key=value</c> pairs where a
    /// value runs until the space before the next key followed by an unescaped equals sign.
    /// </summary>
    public static (string[] Header, Dictionary<string, string> Extensions) ParseCef(string text)
    {
        var header = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (header.Count < 7)
        {
            Assert.True(i < text.Length, "CEF header ends early");
            var c = text[i++];
            if (c == '\\' && i < text.Length && text[i] is '\\' or '|')
            {
                field.Append(text[i++]);
            }
            else if (c == '|')
            {
                header.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        var extension = text[i..];
        var separators = new List<(int KeyStart, int EqualsAt)>();
        for (var j = 0; j < extension.Length; j++)
        {
            if (extension[j] == '\\')
            {
                j++;
                continue;
            }

            if (extension[j] == '=')
            {
                var keyStart = extension.LastIndexOf(' ', j) + 1;
                separators.Add((keyStart, j));
            }
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var k = 0; k < separators.Count; k++)
        {
            var (keyStart, equalsAt) = separators[k];
            var end = k + 1 < separators.Count ? separators[k + 1].KeyStart - 1 : extension.Length;
            values.Add(extension[keyStart..equalsAt], Unescape(extension[(equalsAt + 1)..end]));
        }

        return ([.. header], values);
    }

    private static string Unescape(string value)
    {
        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
                text.Append(value[i] switch { 'n' => '\n', 'r' => '\r', var other => other });
            }
            else
            {
                text.Append(value[i]);
            }
        }

        return text.ToString();
    }
}
