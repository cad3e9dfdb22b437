using System.Net;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Email;

internal static class EmailSetup
{
    public static IServiceCollection AddKastellEmail(this IServiceCollection services, KastellOptions options, IHostEnvironment environment)
    {
        // The zero-set-up embedded mode (SQLite) may run without SMTP, so that `dotnet run` works on a fresh machine:
        // mails then go to the outbox folder, with a warning at start-up. A PostgreSQL deployment must configure SMTP.
        var localDefaults = environment.IsDevelopment() || options.Database.Provider == DatabaseProvider.Sqlite;
        var problems = Validate(options.Email, localDefaults).ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid e-mail configuration: " + string.Join(" ", problems));
        }

        if (string.IsNullOrWhiteSpace(options.Email.PublicBaseUrl))
        {
            // Development or embedded mode only (Validate refuses it elsewhere): links point at the usual local address.
            services.PostConfigure<KastellOptions>(o => o.Email.PublicBaseUrl ??= DevelopmentBaseUrl);
        }

        services.AddSingleton<EmailQueue>();
        services.AddSingleton<EmailLinks>();
        services.AddHostedService<EmailDispatcher>();
        if (string.IsNullOrWhiteSpace(options.Email.SmtpHost))
        {
            services.AddSingleton<IEmailSender, OutboxEmailSender>();
            services.AddHostedService<OutboxWarning>();
        }
        else
        {
            services.AddSingleton<IEmailSender, SmtpEmailSender>();
        }

        return services;
    }

    public const string DevelopmentBaseUrl = "https://localhost:5001";

    public static IEnumerable<string> Validate(EmailOptions email, bool isDevelopment)
    {
        if (string.IsNullOrWhiteSpace(email.SmtpHost) && !isDevelopment)
        {
            yield return "Kastell:Email:SmtpHost is required outside Development.";
        }

        if (string.IsNullOrWhiteSpace(email.PublicBaseUrl))
        {
            if (!isDevelopment)
            {
                yield return "Kastell:Email:PublicBaseUrl is required outside Development.";
            }
        }
        else if (!Uri.TryCreate(email.PublicBaseUrl, UriKind.Absolute, out var baseUrl)
            || !(baseUrl.Scheme == Uri.UriSchemeHttps || (baseUrl.Scheme == Uri.UriSchemeHttp && isDevelopment && baseUrl.IsLoopback))
            || !string.IsNullOrEmpty(baseUrl.Query) || !string.IsNullOrEmpty(baseUrl.Fragment) || !string.IsNullOrEmpty(baseUrl.UserInfo))
        {
            yield return "Kastell:Email:PublicBaseUrl must be an absolute https URL without query (http only for loopback in Development).";
        }

        if (email.LinkLifetime <= TimeSpan.Zero || email.LinkLifetime > TimeSpan.FromHours(1))
        {
            yield return "Kastell:Email:LinkLifetime must be more than zero and at most 1 hour.";
        }

        if (email.InvitationLifetime < TimeSpan.FromMinutes(5) || email.InvitationLifetime > TimeSpan.FromDays(30))
        {
            yield return "Kastell:Email:InvitationLifetime must be between 5 minutes and 30 days.";
        }

        if (!MimeKit.MailboxAddress.TryParse(email.From, out _))
        {
            yield return "Kastell:Email:From is not a valid address.";
        }
    }

    /// <summary>Plain SMTP only when explicitly allowed and the relay is on this machine (nothing crosses a network).</summary>
    public static bool MayUsePlainSmtp(EmailOptions email) =>
        email.AllowInsecureLoopbackSmtp && IsLoopback(email.SmtpHost);

    private static bool IsLoopback(string? host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>Says once, loudly, that mail goes to disk.</summary>
    private sealed class OutboxWarning(IOptions<KastellOptions> options, ILogger<OutboxWarning> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            logger.LogWarning("No SMTP host configured (Kastell:Email:SmtpHost): e-mails are written to {Directory} instead of being sent.", OutboxEmailSender.OutboxDirectory(options.Value));
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
