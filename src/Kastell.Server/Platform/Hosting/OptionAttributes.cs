using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Kastell.Server.Platform.Hosting;

/// <summary>
/// <see cref="RangeAttribute"/> with Kastell's message: the full key, the allowed range and the refused value, e.g.
/// <c>Kastell:Sessions:IdleTimeout must be between 00:01:00 and 1.00:00:00 (was 2.00:00:00).</c> Only for numbers and
/// durations: the value is echoed, so never put it on a secret.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class OptionRangeAttribute : RangeAttribute
{
    public OptionRangeAttribute(int minimum, int maximum)
        : base(minimum, maximum)
    {
    }

    /// <summary>For <see cref="TimeSpan"/> and <see cref="long"/>: the limits as invariant strings.</summary>
    public OptionRangeAttribute(Type type, string minimum, string maximum)
        : base(type, minimum, maximum) => ParseLimitsInInvariantCulture = true;

    /// <summary>Zero is allowed besides the range: it switches the setting off.</summary>
    public bool AllowZero { get; set; }

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if ((AllowZero && value is 0 or 0L or TimeSpan { Ticks: 0 }) || IsValid(value))
        {
            return ValidationResult.Success;
        }

        var key = OptionMessages.Key(validationContext);
        var range = (MinimumIsExclusive, MaximumIsExclusive) switch
        {
            (false, false) => $"between {OptionMessages.Format(Minimum)} and {OptionMessages.Format(Maximum)}",
            _ => $"{(MinimumIsExclusive ? "more than" : "at least")} {OptionMessages.Format(Minimum)} and {(MaximumIsExclusive ? "less than" : "at most")} {OptionMessages.Format(Maximum)}",
        };
        var off = AllowZero ? $"{(OperandType == typeof(TimeSpan) ? "00:00:00" : "0")} (off) or " : "";
        return new ValidationResult($"{key} must be {off}{range} (was {OptionMessages.Format(value)}).");
    }
}

/// <summary>A lower bound only: <c>Kastell:Passwords:Pbkdf2Iterations must be at least 210000 (was 1000).</c></summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class OptionMinimumAttribute(int minimum) : RangeAttribute(minimum, int.MaxValue)
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        IsValid(value) ? ValidationResult.Success : new ValidationResult($"{OptionMessages.Key(validationContext)} must be at least {OptionMessages.Format(Minimum)} (was {OptionMessages.Format(value)}).");
}

/// <summary>Not empty or blank: <c>Kastell:DataDirectory must not be empty.</c></summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class OptionRequiredAttribute : RequiredAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        IsValid(value) ? ValidationResult.Success : new ValidationResult($"{OptionMessages.Key(validationContext)} must not be empty.");
}

/// <summary>
/// One of the enumeration's named values. The binder refuses unknown names itself, but takes any number
/// (<c>Provider=7</c>); this refuses those: <c>Kastell:Database:Provider must be Sqlite or Postgres.</c>
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class OptionEnumAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is Enum named && !Enum.IsDefined(named.GetType(), named)
            ? new ValidationResult(OptionMessages.OneOf(OptionMessages.Key(validationContext), named.GetType()))
            : ValidationResult.Success;
}

/// <summary>The wording of every option refusal, for the attributes above and the areas' rules alike.</summary>
public static class OptionMessages
{
    /// <summary>
    /// The full key of the member being validated. <see cref="SectionValidator{TOptions}"/> hands the generated
    /// validator the section as its name, so the display name is the section and the member path joined by dots.
    /// </summary>
    public static string Key(ValidationContext context) => context.DisplayName.Replace('.', ':');

    /// <summary>Numbers and durations as the configuration writes them, whatever the culture.</summary>
    public static string Format(object? value) => string.Format(CultureInfo.InvariantCulture, "{0}", value);

    /// <summary>The message for a value outside [<paramref name="minimum"/>, <paramref name="maximum"/>], or null.</summary>
    public static string? Range<T>(string key, T value, T minimum, T maximum)
        where T : IComparable<T> =>
        value.CompareTo(minimum) < 0 || value.CompareTo(maximum) > 0
            ? $"{key} must be between {Format(minimum)} and {Format(maximum)} (was {Format(value)})."
            : null;

    /// <summary><c>Kastell:Siem:Format must be Json or Cef.</c></summary>
    public static string OneOf(string key, Type enumeration)
    {
        var names = Enum.GetNames(enumeration);
        return $"{key} must be {(names.Length == 1 ? names[0] : string.Join(", ", names[..^1]) + " or " + names[^1])}.";
    }
}
