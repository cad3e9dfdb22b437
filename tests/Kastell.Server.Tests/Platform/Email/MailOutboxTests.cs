using System.Diagnostics;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Email;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Platform.Email;

/// <summary>
/// The durable mail outbox, on each provider: a message the mail server keeps refusing delays nobody else's mail; a
/// message refused for good, or out of attempts, becomes a dead letter with its reason for operators (<c>mail status</c>,
/// the audit trail) and is sent again by <c>mail retry</c>.
/// </summary>
public abstract class MailOutboxTests(KastellHost host)
{
    private const string ConfirmSubject = "Confirm your e-mail address";
    private const string ResetSubject = "Reset your Kastell password";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PoisonMessages_DoNotDelayAGoodOne()
    {
        using var browser = host.CreateBrowser();
        var good = Journeys.UniqueEmail("good");
        await Journeys.SignUpAsync(browser, good, "Good Org");
        await Mails.WaitAsync(host, good, ConfirmSubject);

        // Eight sign-ups whose confirmation mails the mail server keeps deferring (4xx): each is a message that fails.
        var poisoned = Enumerable.Range(0, 8).Select(i => Journeys.UniqueEmail($"poison{i}")).ToList();
        foreach (var address in poisoned)
        {
            host.Mail.Refuse(address, "451 4.3.0 Mailbox temporarily unavailable");
            using var signUp = host.CreateBrowser();
            await Journeys.SignUpAsync(signUp, address, "Poisoned Org");
        }

        using var reset = host.CreateBrowser();
        var clock = Stopwatch.StartNew();
        await reset.SubmitAsync("/account/forgot-password", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = good });
        await host.Mail.WaitForMessageAsync(good, m => m.Subject.Contains(ResetSubject, StringComparison.Ordinal), TimeSpan.FromSeconds(5), Ct);
        clock.Stop();

        // The bad ones were tried, failed on their own, and are kept (waiting for their next attempt, or given up on).
        Assert.All(poisoned, address => Assert.True(host.Mail.RefusedAttempts(address) >= 1, $"{address} was never tried"));
        // (The sink may have answered an attempt whose outcome is not written yet: wait for the rows to say so.)
        await WaitUntilAsync(async () => (await OutboxAsync()).Count(m => poisoned.Contains(m.Recipient) && m.LastError?.Contains("451", StringComparison.Ordinal) == true) == poisoned.Count);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"The reset mail took {clock.Elapsed.TotalSeconds:0.0} s behind the poisoned ones.");
    }

    [Fact]
    public async Task RefusedForGood_AndOutOfAttempts_BecomeDeadLetters_ThatOperatorsSeeAndRetry()
    {
        var gone = Journeys.UniqueEmail("gone");
        var busy = Journeys.UniqueEmail("busy");
        host.Mail.Refuse(gone, "550 5.1.1 No such user here");
        host.Mail.Refuse(busy, "451 4.3.0 Try again later");
        using (var a = host.CreateBrowser())
        {
            await Journeys.SignUpAsync(a, gone, "Gone Org");
        }

        using (var b = host.CreateBrowser())
        {
            await Journeys.SignUpAsync(b, busy, "Busy Org");
        }

        var goneLetter = await DeadLetterAsync(gone);
        var busyLetter = await DeadLetterAsync(busy);

        // 5xx for the recipient: given up after the first attempt. 4xx: after MaxAttempts (2 here), each one tried.
        Assert.Equal(1, goneLetter.Attempts);
        Assert.Contains("550", goneLetter.LastError, StringComparison.Ordinal);
        Assert.Equal(1, host.Mail.RefusedAttempts(gone));
        Assert.Equal(FastRetries.MaxAttempts, busyLetter.Attempts);
        Assert.Contains("451", busyLetter.LastError, StringComparison.Ordinal);
        Assert.Equal(FastRetries.MaxAttempts, host.Mail.RefusedAttempts(busy));

        // Operators see both, with the reason and the recipient masked; status exits 1 while dead letters exist.
        var (status, listing) = await VerbAsync("mail", "status");
        Assert.Equal(1, status);
        Assert.Contains($"{goneLetter.Id} confirm-email to g…@example.test", listing, StringComparison.Ordinal);
        Assert.Contains($"{busyLetter.Id} confirm-email to b…@example.test", listing, StringComparison.Ordinal);
        Assert.Contains("550", listing, StringComparison.Ordinal);
        Assert.DoesNotContain(gone, listing, StringComparison.Ordinal);
        Assert.DoesNotContain("/account/confirm-email", listing, StringComparison.Ordinal);

        // Each dead letter is in the system audit chain with its kind, attempts and reason — never the address or link.
        var deadLettered = await SystemEventsAsync(EmailEvents.EmailDeadLettered);
        var entry = Assert.Single(deadLettered, e => e.TargetId == goneLetter.Id.ToString());
        Assert.Contains("\"kind\":\"confirm-email\"", entry.Details, StringComparison.Ordinal);
        Assert.Contains("550", entry.Details, StringComparison.Ordinal);
        Assert.DoesNotContain(gone, entry.Details, StringComparison.Ordinal);
        Assert.Contains(deadLettered, e => e.TargetId == busyLetter.Id.ToString());

        // The mailbox is back: one retry sends the mail, audited, and it leaves the outbox.
        host.Mail.Accept(busy);
        Assert.Equal(0, (await VerbAsync("mail", "retry", "--id", busyLetter.Id.ToString())).ExitCode);
        var mail = await Mails.WaitAsync(host, busy, ConfirmSubject);
        Assert.Contains("/account/confirm-email?", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains(await SystemEventsAsync(EmailEvents.EmailRequeued), e => e.TargetId == busyLetter.Id.ToString());
        await WaitUntilAsync(async () => (await OutboxAsync()).All(m => m.Id != busyLetter.Id));

        // A retry names a message or all of them; an unknown id is a usage error.
        Assert.Equal(2, (await VerbAsync("mail", "retry")).ExitCode);
        Assert.Equal(2, (await VerbAsync("mail", "retry", "--id", Guid.NewGuid().ToString())).ExitCode);
    }

    private async Task<OutgoingEmail> DeadLetterAsync(string recipient)
    {
        OutgoingEmail? letter = null;
        await WaitUntilAsync(async () =>
        {
            letter = (await OutboxAsync()).SingleOrDefault(m => m.Recipient == recipient && m.State == OutgoingEmailState.DeadLetter);
            return letter is not null;
        });
        return letter!;
    }

    private async Task<List<OutgoingEmail>> OutboxAsync()
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            return await db.Set<OutgoingEmail>().AsNoTracking().ToListAsync(Ct);
        }
    }

    private async Task<List<AuditEvent>> SystemEventsAsync(AuditEventType type)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            var events = await db.AuditEvents.AsNoTracking().Where(e => e.OrganizationId == null && e.TargetType == "email").ToListAsync(Ct);
            return [.. events.Where(e => e.Type == type)];
        }
    }

    private async Task<(int ExitCode, string Output)> VerbAsync(params string[] args)
    {
        using var output = new StringWriter();
        var code = await KastellCli.RunAsync(host.Services, args, output, Ct);
        return (code, output.ToString());
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), "The outbox did not reach the expected state within 20 s.");
            await Task.Delay(100, Ct);
        }
    }
}

/// <summary>Fast retries, so that running out of attempts takes seconds.</summary>
internal static class FastRetries
{
    public const int MaxAttempts = 2;

    public static IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Kastell:Email:MaxAttempts", MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Kastell:Email:FirstRetryDelay", "00:00:01"),
        new("Kastell:Email:MaxRetryDelay", "00:00:02"),
    ];
}

public sealed class MailOutboxSqliteHost(SmtpSink mail) : SqliteHost(mail)
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => FastRetries.Settings;
}

public sealed class MailOutboxPostgresHost(PostgresCluster cluster, SmtpSink mail) : PostgresHost(cluster, mail)
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => FastRetries.Settings;
}

public sealed class MailOutboxTestsOnSqlite(MailOutboxSqliteHost host) : MailOutboxTests(host), IClassFixture<MailOutboxSqliteHost>;

public sealed class MailOutboxTestsOnPostgres(MailOutboxPostgresHost host) : MailOutboxTests(host), IClassFixture<MailOutboxPostgresHost>;
