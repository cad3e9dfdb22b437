using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Platform.Email;

/// <summary>
/// Mail queued while the mail server is unreachable survives <c>kill -9</c> of the server: the real binary, killed
/// with SIGKILL and started again on the same database, delivers it — on each provider.
/// </summary>
public abstract class MailDurabilityTests(SmtpSink mail)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The database settings; the data directory (keys) is the test's.</summary>
    protected abstract IEnumerable<KeyValuePair<string, string>> Database(string dataDirectory);

    [Fact]
    public async Task MailQueuedWhileSmtpIsDown_SurvivesKillNine_AndIsSentAfterTheRestart()
    {
        var data = Directory.CreateTempSubdirectory("kastell-mail-kill-").FullName;
        try
        {
            var email = Journeys.UniqueEmail("durable");
            await using (var first = await ServerProcess.StartAsync(Settings(data, smtpPort: FreeLoopbackPort.Find())))
            {
                using var browser = first.CreateBrowser();
                await Journeys.SignUpAsync(browser, email, "Durable Org");
                var forgot = await browser.SubmitAsync("/account/forgot-password", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = email });
                Assert.Equal(System.Net.HttpStatusCode.OK, forgot.StatusCode);
                await first.KillAsync();
                Assert.DoesNotContain(mail.Messages, m => m.IsAddressedTo(email));
            }

            await using var second = await ServerProcess.StartAsync(Settings(data, mail.Port));
            var confirm = mail.WaitForMessageAsync(email, m => m.Subject.Contains("Confirm your e-mail address", StringComparison.Ordinal), TimeSpan.FromSeconds(60), Ct);
            var reset = mail.WaitForMessageAsync(email, m => m.Subject.Contains("Reset your Kastell password", StringComparison.Ordinal), TimeSpan.FromSeconds(60), Ct);
            try
            {
                await Task.WhenAll(confirm, reset);
            }
            catch (TimeoutException exception)
            {
                Assert.Fail($"{exception.Message}\nServer output after the restart:\n{second.Output}");
            }

            Assert.Contains("/account/reset-password?", (await reset).TextBody, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private IEnumerable<KeyValuePair<string, string>> Settings(string data, int smtpPort) =>
    [
        new("Kastell:DataDirectory", data),
        .. Database(data),
        new("Kastell:Database:MigrateOnStartup", "true"),
        new("Kastell:Email:SmtpHost", mail.Host),
        new("Kastell:Email:SmtpPort", smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Kastell:Email:AllowInsecureLoopbackSmtp", "true"),
        new("Kastell:Email:PublicBaseUrl", KastellHost.PublicBaseUrl),
        // Quick retries and a short lease, so a message the killed process had in hand is free again within seconds.
        new("Kastell:Email:FirstRetryDelay", "00:00:01"),
        new("Kastell:Email:MaxRetryDelay", "00:00:02"),
        new("Kastell:Email:SendTimeout", "00:00:05"),
        new("Logging:LogLevel:Default", "Warning"),
    ];
}

public sealed class MailDurabilityTestsOnSqlite(SmtpSink mail) : MailDurabilityTests(mail)
{
    protected override IEnumerable<KeyValuePair<string, string>> Database(string dataDirectory) => [new("Kastell:Database:Provider", "Sqlite")];
}

/// <summary>The application role and database of a <see cref="PostgresHost"/> (which itself never starts).</summary>
public sealed class MailDurabilityTestsOnPostgres(PostgresHost database, SmtpSink mail) : MailDurabilityTests(mail), IClassFixture<PostgresHost>
{
    protected override IEnumerable<KeyValuePair<string, string>> Database(string dataDirectory) =>
    [
        new("Kastell:Database:Provider", "Postgres"),
        new("Kastell:Database:ConnectionString", database.DatabaseConnectionString),
    ];
}
