using Kastell.Server.Platform.Hosting;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.Accounts.SignIn;

/// <summary>
/// <c>Kastell:SignIn</c>: how many wrong passwords and second-factor codes an account may be sent (see
/// <see cref="SignInThrottle"/>). There is no lockout: beyond the budget attempts are refused unchecked, and the
/// account's owner on a device it signed in from before has a budget of its own.
/// </summary>
public sealed class SignInThrottleOptions
{
    public const string Section = "Kastell:SignIn";

    /// <summary>At most this many guesses per account in any hour, from any number of clients. Default 100.</summary>
    [OptionRange(2, 10_000)]
    public int GuessesPerHour { get; set; } = 100;

    /// <summary>How many of them may come at once (the owner's typos); the rest are spread over the hour. Default 10.</summary>
    [OptionRange(1, 1_000)]
    public int GuessBurst { get; set; } = 10;

    /// <summary>One guess more becomes possible every this long once the burst is spent.</summary>
    internal TimeSpan Interval => TimeSpan.FromHours(1) / (GuessesPerHour - GuessBurst);
}

/// <summary>The ranges above, and a burst below the hourly budget (the burst is part of it).</summary>
[OptionsValidator]
internal sealed partial class SignInThrottleOptionsValidator : IValidateOptions<SignInThrottleOptions>, IOptionsRules<SignInThrottleOptions>
{
    public IEnumerable<string> Problems(SignInThrottleOptions options)
    {
        if (options.GuessBurst >= options.GuessesPerHour)
        {
            yield return $"Kastell:SignIn:GuessBurst ({options.GuessBurst}) must be less than Kastell:SignIn:GuessesPerHour ({options.GuessesPerHour}).";
        }
    }
}
