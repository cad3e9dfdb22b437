using System.Net;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Hosting;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Email;

internal static class EmailSetup
{
    public static IServiceCollection AddKastellEmail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddKastellOptions<EmailOptions, EmailOptionsValidator>(configuration, EmailOptions.Section);
        // In the local modes only (elsewhere the validator requires a base URL), links point at the usual local address.
        services.AddOptions<EmailOptions>().PostConfigure<IHostEnvironment, IOptions<DatabaseOptions>>((email, environment, database) =>
        {
            if (string.IsNullOrWhiteSpace(email.PublicBaseUrl) && UsesLocalDefaults(environment, database.Value))
            {
                email.PublicBaseUrl = DevelopmentBaseUrl;
            }
        });

        services.AddSingleton<EmailDispatchSignal>();
        services.AddScoped<EmailOutbox>();
        services.AddSingleton<EmailLinks>();
        services.AddHostedService<EmailDispatcher>();
        services.AddSingleton<IEmailSender>(sp => string.IsNullOrWhiteSpace(sp.GetRequiredService<IOptions<EmailOptions>>().Value.SmtpHost)
            ? ActivatorUtilities.CreateInstance<OutboxEmailSender>(sp)
            : ActivatorUtilities.CreateInstance<SmtpEmailSender>(sp));
        services.AddHostedService<OutboxWarning>();
        return services;
    }

    public const string DevelopmentBaseUrl = "https://localhost:5001";

    /// <summary>
    /// The zero-set-up embedded mode (SQLite) may run without SMTP, so that <c>dotnet run</c> works on a fresh machine:
    /// mails then go to the outbox folder, with a warning at start-up. A PostgreSQL deployment must configure SMTP.
    /// </summary>
    public static bool UsesLocalDefaults(IHostEnvironment environment, DatabaseOptions database) =>
        environment.IsDevelopment() || database.Provider == DatabaseProvider.Sqlite;

    /// <summary>Plain SMTP only when explicitly allowed and the relay is on this machine (nothing crosses a network).</summary>
    public static bool MayUsePlainSmtp(EmailOptions email) =>
        email.AllowInsecureLoopbackSmtp && IsLoopback(email.SmtpHost);

    private static bool IsLoopback(string? host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>Says once, loudly, that mail goes to disk.</summary>
    private sealed class OutboxWarning(IOptions<EmailOptions> email, IOptions<DataDirectoryOptions> data, ILogger<OutboxWarning> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (string.IsNullOrWhiteSpace(email.Value.SmtpHost))
            {
                logger.LogWarning("No SMTP host configured (Kastell:Email:SmtpHost): e-mails are written to {Directory} instead of being sent.", OutboxEmailSender.OutboxDirectory(data.Value));
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
