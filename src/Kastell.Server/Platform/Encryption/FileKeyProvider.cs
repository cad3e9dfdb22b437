using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Kastell.Server.Platform.Encryption;

/// <summary>
/// KEKs as 256-bit files <c>kek-v&lt;version&gt;.key</c> in the key directory, owner-only (0600). The first
/// version is created on first start. A key file that group or others may read stops Kastell: a KEK copied by
/// another local account would decrypt every data key.
/// </summary>
internal sealed partial class FileKeyProvider : IKeyEncryptionKeyProvider
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly string _directory;
    private readonly ConcurrentDictionary<int, byte[]> _keys = new();
    private readonly Lock _creating = new();

    public FileKeyProvider(string directory)
    {
        _directory = directory;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        if (Versions().Count == 0)
        {
            Create(1);
        }

        foreach (var version in Versions())
        {
            _ = Load(version); // every KEK on disk is checked at start-up, not at first use
        }
    }

    public string Name => "File";

    public string PathOf(int version) => Path.Combine(_directory, $"kek-v{version}.key");

    public int CurrentVersion() => Versions().LastOrDefault() is var v and > 0
        ? v
        : throw new KeyUnavailableException($"No key-encryption key file (kek-v<N>.key) in {_directory}.");

    public byte[] Wrap(int kekVersion, ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> associatedData) =>
        AesGcmBlob.Seal(Load(kekVersion), dataKey, associatedData);

    public byte[] Unwrap(int kekVersion, ReadOnlySpan<byte> wrappedKey, ReadOnlySpan<byte> associatedData) =>
        AesGcmBlob.Open(Load(kekVersion), wrappedKey, associatedData, $"A data key wrapped with KEK version {kekVersion} ({PathOf(kekVersion)})");

    public int CreateNextVersion()
    {
        lock (_creating)
        {
            var next = (Versions().LastOrDefault()) + 1;
            Create(next);
            return next;
        }
    }

    public void Destroy(int kekVersion)
    {
        if (_keys.TryRemove(kekVersion, out var key))
        {
            CryptographicOperations.ZeroMemory(key);
        }

        File.Delete(PathOf(kekVersion));
    }

    private List<int> Versions() =>
        [.. Directory.EnumerateFiles(_directory, "kek-v*.key")
            .Select(f => KeyFileName().Match(Path.GetFileName(f)))
            .Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            .Order()];

    private void Create(int version)
    {
        var key = RandomNumberGenerator.GetBytes(AesGcmBlob.KeySize);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly; // never briefly world-readable
        }

        using (var file = new FileStream(PathOf(version), options))
        {
            file.Write(key);
            file.Flush(flushToDisk: true);
        }

        _keys[version] = key;
    }

    private byte[] Load(int version) => _keys.TryGetValue(version, out var cached) ? cached : _keys.GetOrAdd(version, ReadKeyFile);

    private byte[] ReadKeyFile(int version)
    {
        var path = PathOf(version);
        if (!File.Exists(path))
        {
            throw new KeyUnavailableException(
                $"Key-encryption key version {version} is missing: {path} does not exist. Restore it from the backup of the key directory.");
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & GroupOrOthers) != 0)
        {
            throw new KeyUnavailableException(
                $"Refusing to use {path}: the key file is accessible to group or others (mode {Convert.ToString((int)File.GetUnixFileMode(path), 8)}). Run: chmod 600 {path}");
        }

        var key = File.ReadAllBytes(path);
        if (key.Length != AesGcmBlob.KeySize)
        {
            throw new KeyUnavailableException($"{path} is not a key-encryption key: {key.Length} bytes instead of {AesGcmBlob.KeySize}.");
        }

        return key;
    }

    [GeneratedRegex(@"^kek-v([1-9][0-9]{0,8})\.key$")]
    private static partial Regex KeyFileName();
}
