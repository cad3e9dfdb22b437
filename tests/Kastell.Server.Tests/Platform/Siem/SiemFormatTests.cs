using System.Text;
using System.Text.Json;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Siem;

namespace Kastell.Server.Tests.Platform.Siem;

/// <summary>Escaping of CEF and JSON bodies and the syslog frame, independent of any receiver.</summary>
public sealed class SiemFormatTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a|b", @"a\|b")]
    [InlineData(@"back\slash", @"back\\slash")]
    [InlineData(@"\|", @"\\\|")]
    [InlineData("a=b", "a=b")] // equals needs no escape in the header
    [InlineData("two\nlines", "two lines")]
    public void CefHeader_EscapesPipeAndBackslash(string value, string expected) =>
        Assert.Equal(expected, AuditEventBody.CefHeader(value));

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a=b", @"a\=b")]
    [InlineData(@"back\slash", @"back\\slash")]
    [InlineData(@"\=", @"\\\=")]
    [InlineData("a|b", "a|b")] // pipes need no escape in extension values
    [InlineData("one\ntwo\r\nthree", @"one\ntwo\r\nthree")]
    public void CefExtensionValue_EscapesEqualsBackslashAndLineBreaks(string value, string expected) =>
        Assert.Equal(expected, AuditEventBody.CefValue(value));

    [Fact]
    public void Cef_ReadsBackTheSameValues_WithAHostileUserAgentThatTriesToInjectKeys()
    {
        var e = Sample("Mozilla act=Forged suid=admin \\ | x=");
        var (header, extensions) = ReceivedSyslog.ParseCef(AuditEventBody.Cef(e));

        Assert.Equal(["CEF:0", "Kastell", "Kastell", "1", "9000", "AuthorizationDenied", "7"], header);
        Assert.Equal("AuthorizationDenied", extensions["act"]);
        Assert.Equal(e.ActorId, extensions["suid"]);
        Assert.Equal(e.UserAgent, extensions["requestClientApplication"]);
        Assert.Equal(e.Details, extensions["msg"]);
        Assert.Equal("42", extensions["cn1"]);
    }

    [Fact]
    public void Json_IsOneLine_AndReadsBackTheSameValues()
    {
        var e = Sample("agent \"with\" quotes\nand a line break </script>");
        var json = AuditEventBody.Json(e);

        Assert.DoesNotContain('\n', json);
        Assert.DoesNotContain("</script>", json, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal(e.UserAgent, root.GetProperty("userAgent").GetString());
        Assert.Equal("x|y=z\\\n", root.GetProperty("details").GetProperty("note").GetString());
        Assert.Equal(42, root.GetProperty("sequence").GetInt64());
        Assert.Equal(e.Hash, root.GetProperty("hash").GetString());
    }

    [Fact]
    public void Json_SendsTamperedDetailsAsAString_InsteadOfFailingForever()
    {
        var e = Sample("agent");
        e.Details = "{not json";

        using var document = JsonDocument.Parse(AuditEventBody.Json(e));

        Assert.Equal("{not json", document.RootElement.GetProperty("details").GetString());
    }

    [Fact]
    public void Frame_CountsUtf8Bytes_AndTheHeaderHasNoSpacesFromTheHostName()
    {
        var e = Sample("agent");
        var message = SyslogFrame.Message(e, "host with spaces", "ümlaut");
        using var frames = new MemoryStream();
        SyslogFrame.AppendFrame(frames, message);
        var framed = Encoding.UTF8.GetString(frames.ToArray());

        Assert.StartsWith("<108>1 2026-11-23T10:00:00.123Z host_with_spaces kastell - AuthorizationDenied - ümlaut", message, StringComparison.Ordinal);
        Assert.Equal($"{Encoding.UTF8.GetByteCount(message)} {message}", framed);
    }

    private static AuditEvent Sample(string userAgent) => new()
    {
        Id = Guid.NewGuid(),
        HashVersion = 1,
        OrganizationId = Guid.NewGuid(),
        Sequence = 42,
        OccurredAt = new DateTimeOffset(2026, 11, 23, 10, 0, 0, 123, TimeSpan.Zero),
        Type = AuthorizationEvents.AuthorizationDenied,
        Outcome = AuditOutcome.Denied,
        ActorKind = AuditActorKind.User,
        ActorId = Guid.NewGuid().ToString(),
        ClientIp = "192.0.2.1",
        UserAgent = userAgent,
        Details = JsonSerializer.Serialize(new SortedDictionary<string, string> { ["note"] = "x|y=z\\\n" }),
        PreviousHash = new string('0', 64),
        Hash = new string('a', 64),
    };
}
