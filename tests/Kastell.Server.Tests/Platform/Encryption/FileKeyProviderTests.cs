using Kastell.Server.Platform.Encryption;

namespace Kastell.Server.Tests.Platform.Encryption;

/// <summary>What only the key file has: its creation, its permissions, its shape.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes are what is tested
public sealed class FileKeyProviderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kastell-keys-").FullName;

    private string KeyFile => Path.Combine(_directory, "kek-v1.key");

    [Fact]
    public void FirstStart_CreatesAn256BitKeyFile_ReadableByTheOwnerOnly()
    {
        _ = new FileKeyProvider(_directory);

        Assert.Equal(32, new FileInfo(KeyFile).Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
        Assert.Equal(File.ReadAllBytes(KeyFile), ReopenAndReadSameKey());
    }

    [Theory]
    [InlineData(UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.OtherRead)]
    public void KeyFileAccessibleToOthers_IsRefused_WithTheFix(UnixFileMode extra)
    {
        _ = new FileKeyProvider(_directory);
        File.SetUnixFileMode(KeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | extra);

        var error = Assert.Throws<KeyUnavailableException>(() => new FileKeyProvider(_directory));

        Assert.Contains("accessible to group or others", error.Message, StringComparison.Ordinal);
        Assert.Contains($"chmod 600 {KeyFile}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyFileOfTheWrongLength_IsRefused()
    {
        File.WriteAllBytes(KeyFile, new byte[16]);
        File.SetUnixFileMode(KeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var error = Assert.Throws<KeyUnavailableException>(() => new FileKeyProvider(_directory));

        Assert.Contains("16 bytes instead of 32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingKeyFile_ForAWrappedKey_NamesTheFileToRestore()
    {
        var kek = new FileKeyProvider(_directory);
        var wrapped = kek.Wrap(1, new byte[32], []);
        kek.CreateNextVersion();
        File.Delete(KeyFile);

        var error = Assert.Throws<KeyUnavailableException>(() => new FileKeyProvider(_directory).Unwrap(1, wrapped, []));

        Assert.Contains($"{KeyFile} does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongKeyFile_CannotUnwrap()
    {
        var wrapped = new FileKeyProvider(_directory).Wrap(1, new byte[32], []);
        File.WriteAllBytes(KeyFile, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        Assert.Throws<DecryptionFailedException>(() => new FileKeyProvider(_directory).Unwrap(1, wrapped, []));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private byte[] ReopenAndReadSameKey()
    {
        var first = new FileKeyProvider(_directory);
        var wrapped = first.Wrap(1, new byte[32], []);
        _ = new FileKeyProvider(_directory).Unwrap(1, wrapped, []);
        return File.ReadAllBytes(KeyFile);
    }
}
