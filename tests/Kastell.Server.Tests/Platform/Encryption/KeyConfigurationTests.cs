using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Platform.Encryption;

/// <summary>Key configuration that cannot be trusted stops Kastell at start-up, with a message that says what to fix.</summary>
public sealed class KeyConfigurationTests(SmtpSink mail)
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task KeyFileReadableByOthers_StopsKastellAtStartup()
    {
        await using var host = new ConfiguredHost(mail, []);
        var keys = Directory.CreateDirectory(Path.Combine(host.DataDirectory, "keys")).FullName;
        var keyFile = Path.Combine(keys, "kek-v1.key");
        await File.WriteAllBytesAsync(keyFile, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), TestContext.Current.CancellationToken);
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var message = StartupFailure(host);

        Assert.Contains($"chmod 600 {keyFile}", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Kastell:Keys:Pkcs11:LibraryPath", "", "LibraryPath is required")]
    [InlineData("Kastell:Keys:Pkcs11:LibraryPath", "/nonexistent/libpkcs11.so", "does not exist")]
    [InlineData("Kastell:Keys:Pkcs11:TokenLabel", "", "TokenLabel is required")]
    [InlineData("Kastell:Keys:Pkcs11:Pin", "", "Pin is required")]
    [InlineData("Kastell:Keys:Pkcs11:TokenLabel", "no-such-token", "No PKCS#11 token labelled 'no-such-token'")]
    [InlineData("Kastell:Keys:Pkcs11:Pin", "wrong-pin", "refused the PIN")]
    [InlineData("Kastell:Keys:Provider", "Vault", "Provider")]
    public async Task InvalidPkcs11Configuration_StopsKastellAtStartup(string key, string value, string expected)
    {
        var settings = SoftHsm.Settings(SoftHsm.UniqueKeyLabel()).Where(s => s.Key != key).Append(new(key, value));
        await using var host = new ConfiguredHost(mail, settings);

        Assert.Contains(expected, StartupFailure(host), StringComparison.Ordinal);
    }

    private static string StartupFailure(KastellHost host)
    {
        var error = Assert.ThrowsAny<Exception>(() => host.Services);
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        return string.Join(" | ", messages);
    }

    private sealed class ConfiguredHost(SmtpSink mail, IEnumerable<KeyValuePair<string, string?>> settings) : SqliteHost(mail)
    {
        protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => settings;
    }
}
