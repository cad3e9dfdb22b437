using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Kastell.Server.Platform.Identity.Tokens;

/// <summary>Whose token: the prefix tells a person's from a service account's.</summary>
public enum ApiTokenKind
{
    Personal,
    ServiceAccount,
}

/// <summary>
/// The token format: <c>kastell_pat_</c> (a person's) or <c>kastell_sat_</c> (a service account's), 43 base62
/// characters of a 256-bit random secret, and 6 base62 characters of its CRC-32. The fixed prefix lets secret
/// scanners find leaked tokens; the checksum lets them (and Kastell, before any database lookup) tell a real token
/// from a look-alike. Only the SHA-256 of the whole token is stored.
/// </summary>
public static class ApiTokenSecret
{
    public const string PersonalPrefix = "kastell_pat_";
    public const string ServiceAccountPrefix = "kastell_sat_";

    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const int SecretBytes = 32;
    private const int SecretChars = 43; // 62^43 > 2^256
    private const int ChecksumChars = 6; // 62^6 > 2^32

    /// <summary>The length of every token.</summary>
    public const int Length = 12 + SecretChars + ChecksumChars;

    public static string Create(ApiTokenKind kind)
    {
        var secret = RandomNumberGenerator.GetBytes(SecretBytes);
        var body = Base62(secret, SecretChars);
        var prefix = kind == ApiTokenKind.Personal ? PersonalPrefix : ServiceAccountPrefix;
        return prefix + body + Checksum(prefix + body);
    }

    /// <summary>Whether <paramref name="token"/> has the form of a Kastell token with a matching checksum (says nothing of whether it exists).</summary>
    public static bool IsWellFormed(string? token, out ApiTokenKind kind)
    {
        kind = ApiTokenKind.Personal;
        if (token is null || token.Length != Length)
        {
            return false;
        }

        if (token.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal))
        {
            kind = ApiTokenKind.ServiceAccount;
        }
        else if (!token.StartsWith(PersonalPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        for (var i = 12; i < token.Length; i++)
        {
            if (!char.IsAsciiLetterOrDigit(token[i]))
            {
                return false;
            }
        }

        var checksum = Checksum(token[..^ChecksumChars]);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(checksum), Encoding.ASCII.GetBytes(token[^ChecksumChars..]));
    }

    /// <summary>True when <paramref name="value"/> looks like a Kastell token (by its prefix), e.g. in a query string.</summary>
    public static bool LooksLikeToken(string? value) =>
        value is not null && (value.Contains(PersonalPrefix, StringComparison.Ordinal) || value.Contains(ServiceAccountPrefix, StringComparison.Ordinal));

    /// <summary>Lower-case hex SHA-256 of the token: what is stored and looked up.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token)));

    /// <summary>Compares two stored-form hashes in constant time.</summary>
    public static bool HashesMatch(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    /// <summary>What lists show of a token: its prefix and the first four characters of the secret.</summary>
    public static string Hint(string token) => token[..16];

    private static string Checksum(string text) =>
        Base62(BitConverter.GetBytes(Crc32(Encoding.ASCII.GetBytes(text))), ChecksumChars);

    /// <summary>CRC-32 (IEEE 802.3, as zlib), bit by bit: a few dozen bytes per request do not need a table.</summary>
    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    private static string Base62(byte[] bytes, int length)
    {
        var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        var chars = new char[length];
        for (var i = length - 1; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(value % 62)];
            value /= 62;
        }

        return new string(chars);
    }
}
