using Kastell.Server.Platform.Hosting;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Encryption;

public enum KeyProviderKind
{
    /// <summary>Key-encryption keys in owner-only files under <c>&lt;DataDirectory&gt;/keys</c> (default).</summary>
    File,

    /// <summary>Key-encryption keys inside a PKCS#11 token (HSM); they never leave it.</summary>
    Pkcs11,
}

/// <summary>The <c>Kastell:Keys</c> section: where the key-encryption key (KEK) lives.</summary>
public sealed class KeyOptions
{
    public const string Section = "Kastell:Keys";

    [OptionEnum]
    public KeyProviderKind Provider { get; set; } = KeyProviderKind.File;

    public Pkcs11Options Pkcs11 { get; set; } = new();

    /// <summary>How often the background worker looks for data-key rotations requested elsewhere (e.g. by the CLI).</summary>
    [OptionRange(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RotationPollInterval { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>The token settings are checked only for <see cref="KeyProviderKind.Pkcs11"/>, and the PIN is never echoed.</summary>
[OptionsValidator]
internal sealed partial class KeyOptionsValidator : IValidateOptions<KeyOptions>, IOptionsRules<KeyOptions>
{
    public IEnumerable<string> Problems(KeyOptions options)
    {
        if (options.Provider != KeyProviderKind.Pkcs11)
        {
            yield break;
        }

        var pkcs11 = options.Pkcs11;
        if (string.IsNullOrWhiteSpace(pkcs11.LibraryPath))
        {
            yield return "Kastell:Keys:Pkcs11:LibraryPath is required when Kastell:Keys:Provider is Pkcs11.";
        }
        else if (!System.IO.File.Exists(pkcs11.LibraryPath))
        {
            yield return $"Kastell:Keys:Pkcs11:LibraryPath '{pkcs11.LibraryPath}' does not exist.";
        }

        if (string.IsNullOrWhiteSpace(pkcs11.TokenLabel))
        {
            yield return "Kastell:Keys:Pkcs11:TokenLabel is required when Kastell:Keys:Provider is Pkcs11.";
        }

        if (string.IsNullOrEmpty(pkcs11.Pin))
        {
            yield return "Kastell:Keys:Pkcs11:Pin is required when Kastell:Keys:Provider is Pkcs11 (set it through the environment: Kastell__Keys__Pkcs11__Pin).";
        }

        if (string.IsNullOrWhiteSpace(pkcs11.KeyLabel) || pkcs11.KeyLabel.Length > 60)
        {
            yield return "Kastell:Keys:Pkcs11:KeyLabel must be 1 to 60 characters.";
        }
    }
}

public sealed class Pkcs11Options
{
    /// <summary>The PKCS#11 module, e.g. <c>/usr/lib/softhsm/libsofthsm2.so</c>.</summary>
    public string? LibraryPath { get; set; }

    /// <summary>The label of the token that holds the key-encryption keys.</summary>
    public string? TokenLabel { get; set; }

    /// <summary>The user PIN. Keep it out of files: pass it as the environment variable <c>Kastell__Keys__Pkcs11__Pin</c>.</summary>
    public string? Pin { get; set; }

    /// <summary>Key objects are labelled <c>&lt;KeyLabel&gt;-v&lt;version&gt;</c>. Default <c>kastell-kek</c>.</summary>
    public string KeyLabel { get; set; } = "kastell-kek";
}
