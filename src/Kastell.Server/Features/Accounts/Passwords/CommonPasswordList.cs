using System.IO.Compression;

namespace Kastell.Server.Features.Accounts.Passwords;

/// <summary>
/// The banned list: 49k passwords common in breaches (from @zxcvbn-ts/language-common, MIT), compared case-insensitively.
/// Loaded once from an embedded resource so it works offline and cannot be swapped on disk.
/// </summary>
internal sealed class CommonPasswordList
{
    private readonly HashSet<string> _passwords;

    public CommonPasswordList()
    {
        using var stream = typeof(CommonPasswordList).Assembly.GetManifestResourceStream("Kastell.CommonPasswords")
            ?? throw new InvalidOperationException("The embedded common-password list is missing from the build.");
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        _passwords = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                _passwords.Add(line);
            }
        }
    }

    public int Count => _passwords.Count;

    public bool Contains(string password) => _passwords.Contains(password);
}
