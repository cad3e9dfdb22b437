using Kastell.Server.Platform.Hosting;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.Accounts.Mfa;

/// <summary><c>Kastell:Passkeys</c>: the WebAuthn relying party.</summary>
public sealed class PasskeyOptions
{
    public const string Section = "Kastell:Passkeys";

    /// <summary>
    /// The relying-party id (e.g. <c>isms.example.com</c>); unset, the request's host name. Passkeys are bound to it:
    /// changing it later orphans every registered passkey.
    /// </summary>
    public string? ServerDomain { get; set; }
}

/// <summary>A WebAuthn relying-party id is a bare host name: with a scheme, port or path it is not a valid one.</summary>
internal sealed class PasskeyOptionsValidator : OptionsRules<PasskeyOptions>
{
    public override IEnumerable<string> Problems(PasskeyOptions options)
    {
        if (options.ServerDomain is { } domain && Uri.CheckHostName(domain) != UriHostNameType.Dns)
        {
            yield return "Kastell:Passkeys:ServerDomain must be a host name such as isms.example.com (no scheme, port or path).";
        }
    }
}
