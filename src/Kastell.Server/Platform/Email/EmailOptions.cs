using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Hosting;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Email;

/// <summary><c>Kastell:Email</c>: SMTP for account e-mail, and the links and lifetimes inside it.</summary>
public sealed class EmailOptions
{
    public const string Section = "Kastell:Email";

    /// <summary>
    /// SMTP host. When empty, e-mail is written as .eml files into <c>&lt;DataDirectory&gt;/mail-outbox/</c>; that is
    /// allowed in Development and the embedded (SQLite) mode only (a warning is logged at start-up), anywhere else
    /// start-up fails.
    /// </summary>
    public string? SmtpHost { get; set; }

    /// <summary>587 (STARTTLS, default) or 465 (TLS from the first byte).</summary>
    [OptionRange(1, 65535)]
    public int SmtpPort { get; set; } = 587;

    /// <summary>
    /// STARTTLS/TLS is required. Only when <see cref="SmtpHost"/> is a loopback address (a relay on the same machine)
    /// may this explicit switch allow a plain connection; it is ignored for any other host. NOT recommended otherwise.
    /// </summary>
    public bool AllowInsecureLoopbackSmtp { get; set; }

    /// <summary>SMTP user; credentials are only ever sent over TLS (or to an allowed insecure loopback relay).</summary>
    public string? Username { get; set; }

    /// <summary>A secret: never part of a validation message or a log line.</summary>
    public string? Password { get; set; }

    public string From { get; set; } = "Kastell <no-reply@localhost>";

    /// <summary>
    /// The public base URL used in links inside e-mails, e.g. https://kastell.example.com. Required; must be an absolute
    /// https URL, except http on a loopback host in Development.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>How long e-mail confirmation and password reset links stay valid. Default and maximum 1 hour.</summary>
    [OptionRange(typeof(TimeSpan), "00:00:00", "01:00:00", MinimumIsExclusive = true)]
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long an invitation into an organization stays valid. Default 7 days.</summary>
    [OptionRange(typeof(TimeSpan), "00:05:00", "30.00:00:00")]
    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Attempts per message before it becomes a dead letter (a 5xx refusal of the recipient or message ends it at once).</summary>
    [OptionRange(1, 100)]
    public int MaxAttempts { get; set; } = 10;

    /// <summary>The wait after a message's first failed attempt; it doubles with each further one, up to <see cref="MaxRetryDelay"/>.</summary>
    [OptionRange(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    [OptionRange(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The time one attempt (connect, log in, send) may take before it counts as failed.</summary>
    [OptionRange(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Messages sent at the same time, each on its own connection.</summary>
    [OptionRange(1, 64)]
    public int Concurrency { get; set; } = 4;
}

/// <summary>
/// SMTP and the link base URL are required outside the local modes (Development, or the embedded SQLite mode, so that
/// <c>dotnet run</c> works on a fresh machine); links are https, never on a plain remote host.
/// </summary>
[OptionsValidator]
internal sealed partial class EmailOptionsValidator(IHostEnvironment environment, IOptions<DatabaseOptions> database)
    : IValidateOptions<EmailOptions>, IOptionsRules<EmailOptions>
{
    public IEnumerable<string> Problems(EmailOptions options) =>
        Problems(options, EmailSetup.UsesLocalDefaults(environment, database.Value));

    /// <param name="localDefaults">Development or the embedded mode: mail may go to the outbox, links to localhost.</param>
    internal static IEnumerable<string> Problems(EmailOptions email, bool localDefaults)
    {
        if (string.IsNullOrWhiteSpace(email.SmtpHost) && !localDefaults)
        {
            yield return "Kastell:Email:SmtpHost is required outside Development.";
        }

        if (string.IsNullOrWhiteSpace(email.PublicBaseUrl))
        {
            if (!localDefaults)
            {
                yield return "Kastell:Email:PublicBaseUrl is required outside Development.";
            }
        }
        else if (!Uri.TryCreate(email.PublicBaseUrl, UriKind.Absolute, out var baseUrl)
            || !(baseUrl.Scheme == Uri.UriSchemeHttps || (baseUrl.Scheme == Uri.UriSchemeHttp && localDefaults && baseUrl.IsLoopback))
            || !string.IsNullOrEmpty(baseUrl.Query) || !string.IsNullOrEmpty(baseUrl.Fragment) || !string.IsNullOrEmpty(baseUrl.UserInfo))
        {
            yield return "Kastell:Email:PublicBaseUrl must be an absolute https URL without query (http only for loopback in Development).";
        }

        if (!MimeKit.MailboxAddress.TryParse(email.From, out _))
        {
            yield return "Kastell:Email:From is not a valid address.";
        }

        if (email.MaxRetryDelay < email.FirstRetryDelay)
        {
            yield return $"Kastell:Email:MaxRetryDelay ({email.MaxRetryDelay}) must not be less than Kastell:Email:FirstRetryDelay ({email.FirstRetryDelay}).";
        }
    }
}
