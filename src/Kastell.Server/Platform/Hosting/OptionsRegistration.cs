using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Hosting;

/// <summary>
/// The one way Kastell takes settings: every area owns an options class bound to its own section
/// (<c>Kastell:&lt;Area&gt;</c>) and one validator, and every setting is checked when Kastell starts
/// (<c>ValidateOnStart</c>; verbs check them before they run). An invalid setting stops start-up with an
/// <see cref="OptionsValidationException"/> whose message names the full key and what is allowed — it is never
/// ignored, and a security check is never silently switched off.
/// </summary>
/// <remarks>
/// The validator is a <c>[OptionsValidator]</c> partial class: the source generator writes the checks of the data
/// annotations (<see cref="OptionRangeAttribute"/> and its siblings), descending into nested objects marked
/// <c>[ValidateObjectMembers]</c> — <c>ValidateDataAnnotations()</c> does not, which is how a nested <c>[Range]</c> once
/// went unchecked. Rules one attribute cannot state (across keys, or only while a switch is on) are the validator's
/// <see cref="IOptionsRules{TOptions}.Problems"/>. An area without annotations derives from
/// <see cref="OptionsRules{TOptions}"/> instead.
/// </remarks>
public static class OptionsRegistration
{
    /// <summary>Binds <typeparamref name="TOptions"/> to <paramref name="section"/> and validates it with <typeparamref name="TValidator"/> at start.</summary>
    public static OptionsBuilder<TOptions> AddKastellOptions<TOptions, TValidator>(this IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddSingleton<IValidateOptions<TOptions>>(sp => new SectionValidator<TOptions>(section, ActivatorUtilities.CreateInstance<TValidator>(sp)));
        return services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
    }

    /// <summary>
    /// Reads <typeparamref name="TOptions"/> once, before the container exists, for the few decisions that shape the
    /// registrations themselves (which database provider, whether SIEM forwarding runs). The same class and the same
    /// validator as <see cref="AddKastellOptions{TOptions, TValidator}"/>, so the rules are never written twice.
    /// </summary>
    /// <exception cref="OptionsValidationException">A setting is invalid.</exception>
    public static TOptions ReadKastellOptions<TOptions, TValidator>(this IConfiguration configuration, string section)
        where TOptions : class, new()
        where TValidator : class, IValidateOptions<TOptions>, new()
    {
        var options = new TOptions();
        configuration.GetSection(section).Bind(options);
        var result = new SectionValidator<TOptions>(section, new TValidator()).Validate(Options.DefaultName, options);
        return result.Failed ? throw new OptionsValidationException(Options.DefaultName, typeof(TOptions), result.Failures) : options;
    }
}

/// <summary>Rules of an options area that one attribute cannot state: across keys, or only while a switch is on.</summary>
public interface IOptionsRules<in TOptions>
{
    /// <summary>Every problem, or none; each message names the full key and never echoes a secret.</summary>
    IEnumerable<string> Problems(TOptions options);
}

/// <summary>The validator of an area whose settings carry no data annotations: every check is a rule.</summary>
public abstract class OptionsRules<TOptions> : IValidateOptions<TOptions>, IOptionsRules<TOptions>
    where TOptions : class
{
    /// <summary>Nothing declarative to check; <see cref="Problems"/> holds the rules.</summary>
    public ValidateOptionsResult Validate(string? name, TOptions options) => ValidateOptionsResult.Skip;

    public abstract IEnumerable<string> Problems(TOptions options);
}

/// <summary>Runs an area's validator (annotations, then rules) so that every message names the full configuration key.</summary>
internal sealed class SectionValidator<TOptions>(string section, IValidateOptions<TOptions> validator) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var result = new ValidateOptionsResultBuilder();
        // The generated validator uses the name it is given only as the prefix of each member's display name; given the
        // section it yields "Kastell:Audit.Retention.Interval", which the attributes turn into the key (OptionKey).
        result.AddResult(validator.Validate(section, options));
        if (validator is IOptionsRules<TOptions> rules)
        {
            foreach (var problem in rules.Problems(options))
            {
                result.AddError(problem);
            }
        }

        return result.Build();
    }
}
