using System.Buffers.Text;
using System.Text;

namespace Kastell.Server.Platform.Http.Api;

/// <summary>One page of a list and the cursor of the next (null on the last page).</summary>
public sealed record ApiPage<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>
/// Cursor pagination with a stable order: a list is ordered by a key that never changes (a version-7 id, a sequence
/// number), the cursor is the last key handed out, opaque (base64url) and checked when it comes back; the next page
/// continues strictly after it, so rows added or removed meanwhile neither repeat nor shift the pages.
/// </summary>
public static class ApiPaging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;

    /// <summary>The limit (1–100, default 50), or the failure with what was wrong.</summary>
    public static (int Limit, Failure? Failure) Limit(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return (DefaultLimit, null);
        }

        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var limit) && limit is >= 1 and <= MaxLimit
            ? (limit, null)
            : (0, ApiErrors.InvalidLimit);
    }

    public static string Cursor(Guid last) => Encode("g:" + last.ToString("N"));

    public static string Cursor(long last) => Encode("s:" + last.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The id a cursor continues after; false for anything this API did not hand out.</summary>
    public static bool TryReadGuid(string? cursor, out Guid? after)
    {
        after = null;
        if (string.IsNullOrEmpty(cursor))
        {
            return true;
        }

        if (Decode(cursor) is { } text && text.StartsWith("g:", StringComparison.Ordinal) && Guid.TryParseExact(text[2..], "N", out var id))
        {
            after = id;
            return true;
        }

        return false;
    }

    public static bool TryReadSequence(string? cursor, out long? after)
    {
        after = null;
        if (string.IsNullOrEmpty(cursor))
        {
            return true;
        }

        if (Decode(cursor) is { } text && text.StartsWith("s:", StringComparison.Ordinal)
            && long.TryParse(text.AsSpan(2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sequence) && sequence > 0)
        {
            after = sequence;
            return true;
        }

        return false;
    }

    /// <summary>The page from up to <c>limit + 1</c> rows read: the extra row only says that there is a next page.</summary>
    public static ApiPage<TOut> Page<TIn, TOut>(IReadOnlyList<TIn> rows, int limit, Func<TIn, TOut> map, Func<TIn, string> cursorOf) =>
        new([.. rows.Take(limit).Select(map)], rows.Count > limit ? cursorOf(rows[limit - 1]) : null);

    private static string Encode(string text) => Base64Url.EncodeToString(Encoding.ASCII.GetBytes(text));

    private static string? Decode(string cursor)
    {
        if (cursor.Length > 64)
        {
            return null;
        }

        try
        {
            return Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
