using Kastell.Server.Platform.Hosting;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.Accounts.Passwords;

/// <summary><c>Kastell:Passwords</c>: how passwords are hashed (the rules for choosing one come from each organization's policy). Named apart from Identity's <c>PasswordOptions</c>, which holds those rules.</summary>
public sealed class PasswordHashingOptions
{
    public const string Section = "Kastell:Passwords";

    /// <summary>OWASP (2023) floor for PBKDF2-HMAC-SHA512; Identity's v3 hash format records the count, so raising it rehashes on sign-in.</summary>
    public const int MinimumPbkdf2Iterations = 210_000;

    /// <summary>The PBKDF2 work factor. Never below the floor: a weaker hash cannot be configured.</summary>
    [OptionMinimum(MinimumPbkdf2Iterations)]
    public int Pbkdf2Iterations { get; set; } = MinimumPbkdf2Iterations;
}

[OptionsValidator]
internal sealed partial class PasswordHashingOptionsValidator : IValidateOptions<PasswordHashingOptions>;
