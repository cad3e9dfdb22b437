using Kastell.Server.Platform.Hosting;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.Accounts.Sessions;

/// <summary><c>Kastell:Sessions</c>: how long a sign-in lasts. Both limits are enforced server-side by <see cref="DatabaseTicketStore"/>.</summary>
public sealed class SessionOptions
{
    public const string Section = "Kastell:Sessions";

    /// <summary>A session unused for this long ends. Default 30 minutes; at most a day, so a forgotten session does not stay open.</summary>
    [OptionRange(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A session ends this long after sign-in, however active. Default 12 hours.</summary>
    [OptionRange(typeof(TimeSpan), "00:05:00", "30.00:00:00")]
    public TimeSpan AbsoluteTimeout { get; set; } = TimeSpan.FromHours(12);
}

/// <summary>The ranges above, and an idle timeout that fits within the absolute one (a longer one would never apply).</summary>
[OptionsValidator]
internal sealed partial class SessionOptionsValidator : IValidateOptions<SessionOptions>, IOptionsRules<SessionOptions>
{
    public IEnumerable<string> Problems(SessionOptions options)
    {
        if (options.IdleTimeout > options.AbsoluteTimeout)
        {
            yield return $"Kastell:Sessions:IdleTimeout ({OptionMessages.Format(options.IdleTimeout)}) must not exceed Kastell:Sessions:AbsoluteTimeout ({OptionMessages.Format(options.AbsoluteTimeout)}).";
        }
    }
}
