using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Kastell.Server.Tests.Infrastructure;

public sealed class SmtpSinkTests(SmtpSink sink)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MailKitMessage_ToSeveralRecipients_ArrivesIntactForEach()
    {
        var unique = Guid.NewGuid().ToString("N")[..12];
        var alice = $"alice-{unique}@example.test";
        var bob = $"bob-{unique}@example.test";
        var hiddenCarol = $"carol-{unique}@example.test";
        const string subject = "Prüfung der Maßnahmen: Änderungen übernehmen – Größe ÄÖÜ";
        // A lone "." would end DATA early if the client did not stuff it or the sink did not unstuff it.
        var textLines = new[] { "Hallo,", ".starts with a dot", "..starts with two dots", ".", "Reset: https://kastell.test/reset?token=t1", "Ende" };
        var message = new MimeMessage
        {
            Subject = subject,
            Body = new BodyBuilder
            {
                TextBody = string.Join("\r\n", textLines) + "\r\n",
                HtmlBody = "<p>Bitte <a href=\"https://kastell.test/confirm?a=1&amp;b=2\">bestätigen</a>.</p>",
            }.ToMessageBody(),
        };
        message.From.Add(MailboxAddress.Parse("kastell@example.test"));
        message.To.Add(MailboxAddress.Parse(alice));
        message.Cc.Add(MailboxAddress.Parse(bob));
        message.Bcc.Add(MailboxAddress.Parse(hiddenCarol));

        using (var client = new SmtpClient())
        {
            await client.ConnectAsync(sink.Host, sink.Port, SecureSocketOptions.None, Cancellation);
            await client.SendAsync(message, Cancellation);
            await client.DisconnectAsync(quit: true, Cancellation);
        }

        var forAlice = await sink.WaitForMessageAsync(alice, cancellationToken: Cancellation);
        var forBob = await sink.WaitForMessageAsync(bob, m => m.Subject == subject, cancellationToken: Cancellation);
        var forCarol = await sink.WaitForMessageAsync(hiddenCarol, cancellationToken: Cancellation);
        Assert.Same(forAlice, forBob);
        Assert.Same(forAlice, forCarol);

        Assert.Equal("kastell@example.test", forAlice.EnvelopeFrom);
        Assert.Equal([alice, bob, hiddenCarol], forAlice.EnvelopeTo);
        Assert.Equal(subject, forAlice.Subject);
        Assert.Empty(forAlice.Mime.Bcc);
        Assert.Equal(textLines, forAlice.TextBody!.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'));
        Assert.Contains("bestätigen", forAlice.HtmlBody, StringComparison.Ordinal);
        Assert.Equal(
            [new Uri("https://kastell.test/confirm?a=1&b=2"), new Uri("https://kastell.test/reset?token=t1")],
            forAlice.Links);
        Assert.Empty(sink.Faults);
    }

    [Fact]
    public async Task WaitForMessageAsync_WhenNothingArrives_ThrowsTimeoutNamingTheRecipient()
    {
        var nobody = $"nobody-{Guid.NewGuid():N}@example.test";

        var timeout = await Assert.ThrowsAsync<TimeoutException>(
            () => sink.WaitForMessageAsync(nobody, timeout: TimeSpan.FromMilliseconds(200), cancellationToken: Cancellation));

        Assert.Contains(nobody, timeout.Message, StringComparison.Ordinal);
    }
}
