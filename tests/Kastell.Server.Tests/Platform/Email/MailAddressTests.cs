using Kastell.Server.Platform.Email;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Platform.Email;

/// <summary>
/// Addresses are read at the edge by the mail library's own strict parser: what a form accepts is exactly one bare
/// mailbox that MimeKit will later send to as it is; anything else is a localized form error and reaches no queue.
/// </summary>
public sealed class MailAddressTests(SqliteHost host) : IClassFixture<SqliteHost>
{
    /// <summary>Inputs that a looser check (DataAnnotations' one-@ rule) let through, and the mail library then could not send.</summary>
    public static readonly TheoryData<string> Refused = new()
    {
        "a@example.test UNION ALL SELECT 1,2,3--",
        "a@example.test' OR '1'='1",
        "Mallory <a@example.test>",
        "a@example.test, b@example.test",
        "a@example.test; b@example.test",
        "a@example.test\r\nBcc: b@example.test",
        "(comment)a@example.test",
        "a@example.test (comment)",
        "<a@example.test>",
        "@relay.test:a@example.test",
        "a@",
        "@example.test",
        "a@@example.test",
        "a@b@example.test",
        "a b@example.test",
        "a@exa mple.test",
        "a\u0000@example.test",
        "undisclosed-recipients:;",
        "x",
        "",
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Parser_RefusesEverythingButOneBareMailbox(string input) => Assert.False(MailAddresses.TryParse(input, out _));

    [Theory]
    [InlineData("a@example.test")]
    [InlineData("  first.last+tag@sub.example.test  ")]
    [InlineData("o'brien@example.test")]
    [InlineData("müller@bücher.example")]
    public void Parser_AcceptsOrdinaryAddresses_Trimmed(string input)
    {
        Assert.True(MailAddresses.TryParse(input, out var address));
        Assert.Equal(input.Trim(), address);
    }

    [Fact]
    public void Parser_RefusesAddressesLongerThanSmtpAllows() =>
        Assert.False(MailAddresses.TryParse(new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 4)) + ".test", out _));

    [Theory]
    [InlineData("a@example.test UNION ALL SELECT 1,2,3--")]
    [InlineData("Mallory <a@example.test>")]
    [InlineData("a@example.test, b@example.test")]
    public async Task SignUp_WithAnAddressTheMailLibraryCannotRead_IsALocalizedFormError_AndQueuesNothing(string input)
    {
        using var english = host.CreateBrowser();
        await Journeys.SignUpAsync(english, input, "Edge Org");
        Assert.Contains("is not a valid e-mail address: enter one address such as name@example.com", english.LastPage, StringComparison.Ordinal);

        using var german = host.CreateBrowser();
        german.Client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("de-DE");
        await Journeys.SignUpAsync(german, input, "Edge Org");
        Assert.Contains("ist keine gültige E-Mail-Adresse: bitte genau eine Adresse wie name@example.com eingeben", german.LastPage, StringComparison.Ordinal);

        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            Assert.False(await db.Users.AnyAsync(u => u.Email == input.Trim(), TestContext.Current.CancellationToken));
            // The recipient is encrypted at rest, so the rows are compared after reading (and decrypting) them.
            var outbox = await db.Set<OutgoingEmail>().AsNoTracking().ToListAsync(TestContext.Current.CancellationToken);
            Assert.DoesNotContain(outbox, m => m.Recipient.Contains("a@example.test", StringComparison.Ordinal));
        }
    }
}
