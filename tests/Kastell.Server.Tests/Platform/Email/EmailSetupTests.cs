using System.Net;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Email;
using Kastell.Server.Platform.Hosting;
using Kastell.Server.Tests.Support;
using MailKit.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Tests.Platform.Email;

/// <summary>E-mail configuration rules: transport security, link base URL, and the development outbox.</summary>
public sealed class EmailSetupTests
{
    [Theory]
    [InlineData("smtp.example.com", 587, false, SecureSocketOptions.StartTls)]
    [InlineData("smtp.example.com", 587, true, SecureSocketOptions.StartTls)] // the switch never applies to a remote host
    [InlineData("smtp.example.com", 465, false, SecureSocketOptions.SslOnConnect)]
    [InlineData("127.0.0.1", 25, false, SecureSocketOptions.StartTls)] // loopback alone is not enough
    [InlineData("127.0.0.1", 25, true, SecureSocketOptions.None)]
    [InlineData("localhost", 25, true, SecureSocketOptions.None)]
    [InlineData("::1", 25, true, SecureSocketOptions.None)]
    [InlineData("10.0.0.1", 25, true, SecureSocketOptions.StartTls)]
    public void Smtp_RequiresTls_UnlessExplicitlyAllowedOnLoopback(string host, int port, bool allowInsecure, SecureSocketOptions expected)
    {
        var options = new EmailOptions { SmtpHost = host, SmtpPort = port, AllowInsecureLoopbackSmtp = allowInsecure };

        Assert.Equal(expected, SmtpEmailSender.SocketSecurity(options));
    }

    [Theory]
    [InlineData("https://kastell.example.com", false, true)]
    [InlineData("https://kastell.example.com/", false, true)]
    [InlineData("http://kastell.example.com", false, false)]
    [InlineData("http://localhost:5000", false, false)]
    [InlineData("http://localhost:5000", true, true)]
    [InlineData("http://kastell.example.com", true, false)]
    [InlineData("kastell.example.com", false, false)]
    [InlineData("https://kastell.example.com/?x=1", false, false)]
    [InlineData("https://user:pw@kastell.example.com", false, false)]
    [InlineData("javascript:alert(1)", true, false)]
    public void PublicBaseUrl_MustBeAbsoluteHttps_HttpOnlyForLoopbackInDevelopment(string url, bool development, bool valid)
    {
        var options = new EmailOptions { SmtpHost = "smtp.example.com", PublicBaseUrl = url };

        var problems = EmailOptionsValidator.Problems(options, development).ToList();

        Assert.Equal(valid, problems.Count == 0);
    }

    [Fact]
    public void OutsideDevelopment_SmtpHostAndBaseUrlAreRequired()
    {
        var problems = EmailOptionsValidator.Problems(new EmailOptions(), localDefaults: false).ToList();

        Assert.Contains(problems, p => p.Contains("SmtpHost", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("PublicBaseUrl", StringComparison.Ordinal));
        Assert.Empty(EmailOptionsValidator.Problems(new EmailOptions(), localDefaults: true));
    }

    [Fact]
    public void LinkLifetime_LongerThanAnHour_IsRefused()
    {
        var options = new EmailOptions { SmtpHost = "smtp.example.com", PublicBaseUrl = "https://k.example", LinkLifetime = TimeSpan.FromHours(2) };
        var validator = new SectionValidator<EmailOptions>(EmailOptions.Section, new EmailOptionsValidator(
            new HostingEnvironment { EnvironmentName = Environments.Production }, Options.Create(new DatabaseOptions { Provider = DatabaseProvider.Postgres })));

        var result = validator.Validate(Options.DefaultName, options);

        Assert.Contains(result.Failures!, p => p.Contains("Kastell:Email:LinkLifetime", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Development_WithoutSmtp_WritesMailsAsEmlFilesIntoTheOutbox()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("kastell-outbox-").FullName;
        try
        {
            await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
            {
                b.UseEnvironment("Development");
                b.UseSetting("Kastell:DataDirectory", dataDirectory);
                b.UseSetting("Kastell:Database:MigrateOnStartup", "true");
                b.UseSetting("Logging:LogLevel:Default", "Warning");
            });
            using var browser = new TestBrowser(factory.CreateClient(new WebApplicationFactoryClientOptions
            {
                AllowAutoRedirect = false,
                BaseAddress = new Uri("https://localhost"),
            }));
            var email = Journeys.UniqueEmail("outbox");

            var response = await Journeys.SignUpAsync(browser, email, "Outbox Org");

            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            var outbox = Path.Combine(dataDirectory, "mail-outbox");
            string? file = null;
            for (var i = 0; i < 50 && file is null; i++)
            {
                file = Directory.Exists(outbox) ? Directory.GetFiles(outbox, "*.eml").FirstOrDefault() : null;
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }

            Assert.NotNull(file);
            var message = await MimeKit.MimeMessage.LoadAsync(file, TestContext.Current.CancellationToken);
            Assert.Equal(email, message.To.Mailboxes.Single().Address);
            Assert.Contains(EmailSetup.DevelopmentBaseUrl + "/account/confirm-email?", message.TextBody, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Left to the OS temp cleaner.
            }
        }
    }
}
