using System.Globalization;

namespace Kastell.Authorization.Conditions.Cel;

internal static partial class CelStandardLibrary
{
    private static void AddConversions(Action<string, CelType[], CelType, Func<object[], object>> fn)
    {
        fn("int", [I], I, a => a[0]);
        fn("int", [U], I, a => (ulong)a[0] > long.MaxValue ? new CelError("int range error") : (long)(ulong)a[0]);
        fn("int", [F], I, a => DoubleToInt((double)a[0]));
        fn("int", [S], I, a => long.TryParse((string)a[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            ? v
            : new CelError($"cannot convert string '{a[0]}' to int"));
        fn("int", [T], I, a => ((CelTimestamp)a[0]).UnixSeconds);

        fn("uint", [U], U, a => a[0]);
        fn("uint", [I], U, a => (long)a[0] < 0 ? new CelError("uint range error") : (ulong)(long)a[0]);
        fn("uint", [F], U, a => DoubleToUint((double)a[0]));
        fn("uint", [S], U, a => ulong.TryParse((string)a[0], NumberStyles.None, CultureInfo.InvariantCulture, out var v)
            ? v
            : new CelError($"cannot convert string '{a[0]}' to uint"));

        fn("double", [F], F, a => a[0]);
        fn("double", [I], F, a => (double)(long)a[0]);
        fn("double", [U], F, a => (double)(ulong)a[0]);
        fn("double", [S], F, a => ParseDouble((string)a[0]));

        fn("string", [S], S, a => a[0]);
        fn("string", [I], S, a => ((long)a[0]).ToString(CultureInfo.InvariantCulture));
        fn("string", [U], S, a => ((ulong)a[0]).ToString(CultureInfo.InvariantCulture));
        fn("string", [F], S, a => CelValues.FormatDouble((double)a[0]));
        fn("string", [B], S, a => (bool)a[0] ? "true" : "false");
        fn("string", [T], S, a => Rfc3339.Format((CelTimestamp)a[0]));
        fn("string", [D], S, a => GoDuration.FormatSeconds((CelDuration)a[0]));
        fn("string", [Y], S, a => BytesToString((byte[])a[0]));

        fn("bool", [B], B, a => a[0]);
        fn("bool", [S], B, a => (string)a[0] switch
        {
            "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
            "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
            var s => new CelError($"cannot convert string '{s}' to bool"),
        });

        fn("bytes", [Y], Y, a => a[0]);
        fn("bytes", [S], Y, a => System.Text.Encoding.UTF8.GetBytes((string)a[0]));

        fn("timestamp", [T], T, a => a[0]);
        fn("timestamp", [S], T, a => Rfc3339.TryParse((string)a[0], out var t)
            ? t
            : new CelError($"cannot parse '{a[0]}' as an RFC 3339 timestamp"));
        fn("timestamp", [I], T, a =>
        {
            var t = new CelTimestamp((Int128)(long)a[0] * 1_000_000_000);
            return t.IsInRange ? t : new CelError("timestamp out of range");
        });

        fn("duration", [D], D, a => a[0]);
        fn("duration", [S], D, a => GoDuration.TryParse((string)a[0], out var d)
            ? d
            : new CelError($"cannot parse '{a[0]}' as a duration"));
    }

    private static object DoubleToInt(double d)
    {
        // Bounds as cel-go: the open interval (-2^63, 2^63) after truncation, NaN and infinities rejected.
        if (double.IsNaN(d) || d <= -9.2233720368547758E18 || d >= 9.2233720368547758E18)
        {
            return new CelError("int range error");
        }

        return (long)d;
    }

    private static object DoubleToUint(double d)
    {
        if (double.IsNaN(d) || d < 0 || d >= 1.8446744073709552E19)
        {
            return new CelError("uint range error");
        }

        return (ulong)d;
    }

    /// <summary>Go's <c>strconv.ParseFloat</c>: decimal or exponent notation, and NaN / Inf / Infinity in any case.</summary>
    private static object ParseDouble(string s) => s.ToLowerInvariant() switch
    {
        "nan" => double.NaN,
        "inf" or "+inf" or "infinity" or "+infinity" => double.PositiveInfinity,
        "-inf" or "-infinity" => double.NegativeInfinity,
        _ => double.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var d)
            ? d
            : new CelError($"cannot convert string '{s}' to double"),
    };

    private static object BytesToString(byte[] bytes)
    {
        try
        {
            return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            return new CelError("invalid UTF-8 in bytes, cannot convert to string");
        }
    }
}
