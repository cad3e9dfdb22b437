using System.Globalization;
using System.Numerics;

namespace Kastell.Authorization.Conditions.Cel;

/// <summary>
/// Go's duration syntax (<c>time.ParseDuration</c>), which both OpenFGA's parameter conversion and cel-go's
/// <c>duration()</c> use: an optional sign, then one or more decimal numbers each followed by a unit
/// (<c>ns us µs ms s m h</c>), e.g. <c>1h30m</c>, <c>1.5h</c>, <c>-10s</c>; a bare <c>0</c> is also valid.
/// </summary>
internal static class GoDuration
{
    private static readonly (string Unit, long Nanos)[] Units =
    [
        ("ns", 1), ("us", 1_000), ("\u00b5s", 1_000), ("\u03bcs", 1_000), ("ms", 1_000_000),
        ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ];

    public static bool TryParse(string text, out CelDuration duration)
    {
        duration = default;
        var s = text.AsSpan();
        var negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s.SequenceEqual("0"))
        {
            return true;
        }

        if (s.IsEmpty)
        {
            return false;
        }

        // Exact arithmetic: fractions such as 1.1h must not pick up binary floating point error.
        BigInteger total = 0;
        while (!s.IsEmpty)
        {
            var intLen = CountDigits(s);
            var whole = s[..intLen];
            s = s[intLen..];
            var frac = ReadOnlySpan<char>.Empty;
            if (!s.IsEmpty && s[0] == '.')
            {
                s = s[1..];
                var fracLen = CountDigits(s);
                frac = s[..fracLen];
                s = s[fracLen..];
            }

            if (whole.IsEmpty && frac.IsEmpty)
            {
                return false;
            }

            var unitLen = 0;
            while (unitLen < s.Length && s[unitLen] != '.' && !char.IsAsciiDigit(s[unitLen]))
            {
                unitLen++;
            }

            var unitText = s[..unitLen].ToString();
            s = s[unitLen..];
            var unit = Array.FindIndex(Units, u => u.Unit == unitText);
            if (unit < 0)
            {
                return false;
            }

            var perUnit = new BigInteger(Units[unit].Nanos);
            var value = whole.IsEmpty ? BigInteger.Zero : BigInteger.Parse(whole, CultureInfo.InvariantCulture);
            total += value * perUnit;
            if (!frac.IsEmpty)
            {
                var scale = BigInteger.Pow(10, frac.Length);
                total += BigInteger.Parse(frac, CultureInfo.InvariantCulture) * perUnit / scale;
            }

            if (total > (BigInteger)long.MaxValue + 1)
            {
                return false;
            }
        }

        if (negative)
        {
            total = -total;
        }

        if (total > long.MaxValue || total < long.MinValue)
        {
            return false;
        }

        duration = new CelDuration((long)total);
        return true;
    }

    /// <summary>cel-go's <c>string(duration)</c>: seconds with the shortest exact fraction and an <c>s</c> suffix.</summary>
    public static string FormatSeconds(CelDuration duration)
    {
        var nanos = duration.Nanoseconds;
        var sign = nanos < 0 ? "-" : string.Empty;
        var magnitude = nanos < 0 ? (ulong)(-(nanos + 1)) + 1 : (ulong)nanos;
        var seconds = magnitude / 1_000_000_000;
        var fraction = magnitude % 1_000_000_000;
        var text = fraction == 0
            ? seconds.ToString(CultureInfo.InvariantCulture)
            : $"{seconds.ToString(CultureInfo.InvariantCulture)}.{fraction.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0')}";
        return sign + text + "s";
    }

    private static int CountDigits(ReadOnlySpan<char> s)
    {
        var n = 0;
        while (n < s.Length && char.IsAsciiDigit(s[n]))
        {
            n++;
        }

        return n;
    }
}
