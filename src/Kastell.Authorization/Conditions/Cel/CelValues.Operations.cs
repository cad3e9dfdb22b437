using System.Globalization;

namespace Kastell.Authorization.Conditions.Cel;

/// <summary>Run-time typing, equality and ordering of CEL values.</summary>
internal static class CelValues
{
    public static CelKind KindOf(object value) => value switch
    {
        bool => CelKind.Bool,
        long => CelKind.Int,
        ulong => CelKind.Uint,
        double => CelKind.Double,
        string => CelKind.String,
        byte[] => CelKind.Bytes,
        CelTimestamp => CelKind.Timestamp,
        CelDuration => CelKind.Duration,
        CelIpAddress => CelKind.IpAddress,
        IReadOnlyList<object> => CelKind.List,
        CelMapValue => CelKind.Map,
        CelNull => CelKind.Null,
        _ => CelKind.Dyn,
    };

    public static string TypeName(object value) => KindOf(value) switch
    {
        CelKind.List => "list",
        CelKind.Map => "map",
        var kind => new CelType(kind).ToString(),
    };

    public static bool IsNumber(object value) => value is long or ulong or double;

    /// <summary>Numeric comparison across int, uint and double; NaN compares as unordered (returns null).</summary>
    public static int? CompareNumbers(object a, object b)
    {
        switch (a, b)
        {
            case (long x, long y):
                return x.CompareTo(y);
            case (ulong x, ulong y):
                return x.CompareTo(y);
            case (long x, ulong y):
                return x < 0 ? -1 : ((ulong)x).CompareTo(y);
            case (ulong x, long y):
                return y < 0 ? 1 : x.CompareTo((ulong)y);
        }

        var dx = ToDouble(a);
        var dy = ToDouble(b);
        if (double.IsNaN(dx) || double.IsNaN(dy))
        {
            return null;
        }

        // Comparing through double loses integer precision near 2^63; compare exactly when the double is in range.
        if (a is double && b is not double)
        {
            return -CompareIntegerWithDouble(b, dx);
        }

        return b is double && a is not double ? CompareIntegerWithDouble(a, dy) : dx.CompareTo(dy);
    }

    private static int CompareIntegerWithDouble(object integer, double d)
    {
        if (d < -9.2233720368547758E18)
        {
            return 1;
        }

        if (d >= 1.8446744073709552E19)
        {
            return -1;
        }

        var truncated = Math.Truncate(d);
        int cmp = integer switch
        {
            long l when truncated >= 9.2233720368547758E18 => -1,
            long l => l.CompareTo((long)truncated),
            ulong u when truncated < 0 => 1,
            ulong u => u.CompareTo((ulong)truncated),
            _ => 0,
        };
        if (cmp != 0)
        {
            return cmp;
        }

        return truncated == d ? 0 : (d > truncated ? -1 : 1);
    }

    private static double ToDouble(object number) => number switch
    {
        long l => l,
        ulong u => u,
        double d => d,
        _ => double.NaN,
    };

    /// <summary>CEL equality: heterogeneous numeric equality, structural lists and maps, and <c>false</c> across types.</summary>
    public static bool ValuesEqual(object a, object b)
    {
        if (IsNumber(a) && IsNumber(b))
        {
            return CompareNumbers(a, b) == 0;
        }

        switch (a, b)
        {
            case (byte[] x, byte[] y):
                return x.AsSpan().SequenceEqual(y);
            case (IReadOnlyList<object> x, IReadOnlyList<object> y):
                if (x.Count != y.Count)
                {
                    return false;
                }

                for (var i = 0; i < x.Count; i++)
                {
                    if (!ValuesEqual(x[i], y[i]))
                    {
                        return false;
                    }
                }

                return true;
            case (CelMapValue x, CelMapValue y):
                return x.Count == y.Count && x.Entries.All(e => y.TryGet(e.Key, out var other) && ValuesEqual(e.Value, other));
            default:
                return KindOf(a) == KindOf(b) && a.Equals(b);
        }
    }

    /// <summary>Ordering for <c>&lt; &lt;= &gt; &gt;=</c>; null when the operands have no ordering overload.</summary>
    public static int? Compare(object a, object b)
    {
        if (IsNumber(a) && IsNumber(b))
        {
            return CompareNumbers(a, b);
        }

        return (a, b) switch
        {
            (bool x, bool y) => x.CompareTo(y),
            (string x, string y) => CompareCodePoints(x, y),
            (byte[] x, byte[] y) => x.AsSpan().SequenceCompareTo(y),
            (CelTimestamp x, CelTimestamp y) => x.CompareTo(y),
            (CelDuration x, CelDuration y) => x.CompareTo(y),
            _ => null,
        };
    }

    /// <summary>CEL orders strings by Unicode code point, which ordinal UTF-16 comparison gets wrong for surrogates.</summary>
    private static int CompareCodePoints(string x, string y)
    {
        var ex = x.EnumerateRunes();
        var ey = y.EnumerateRunes();
        while (true)
        {
            var hasX = ex.MoveNext();
            var hasY = ey.MoveNext();
            if (!hasX || !hasY)
            {
                return hasX.CompareTo(hasY);
            }

            var c = ex.Current.Value.CompareTo(ey.Current.Value);
            if (c != 0)
            {
                return c;
            }
        }
    }

    /// <summary>Go's <c>strconv.FormatFloat(d, 'g', -1, 64)</c>, which cel-go's <c>string(double)</c> uses.</summary>
    public static string FormatDouble(double d)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "+Inf" : "-Inf";
        }

        if (d == 0)
        {
            return double.IsNegative(d) ? "-0" : "0";
        }

        // "R" yields the shortest round-tripping digits, either plain ("0.00012") or scientific ("1.5E+25").
        var shortest = Math.Abs(d).ToString("R", CultureInfo.InvariantCulture);
        string digits;
        int exponent;
        var e = shortest.IndexOf('E');
        if (e >= 0)
        {
            digits = shortest[..e].Replace(".", string.Empty, StringComparison.Ordinal);
            exponent = int.Parse(shortest[(e + 1)..], CultureInfo.InvariantCulture);
        }
        else
        {
            var dot = shortest.IndexOf('.');
            var integerPart = dot < 0 ? shortest : shortest[..dot];
            var all = shortest.Replace(".", string.Empty, StringComparison.Ordinal);
            var leadingZeros = all.Length - all.TrimStart('0').Length;
            digits = all.TrimStart('0');
            exponent = integerPart.Length - 1 - leadingZeros;
        }

        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        var sign = d < 0 ? "-" : string.Empty;
        // Go switches to exponent form from 1e+06 on when printing the shortest representation.
        if (exponent < -4 || exponent >= 6)
        {
            var frac = digits.Length > 1 ? "." + digits[1..] : string.Empty;
            var expSign = exponent < 0 ? "-" : "+";
            return $"{sign}{digits[0]}{frac}e{expSign}{Math.Abs(exponent):00}";
        }

        string text;
        if (exponent < 0)
        {
            text = "0." + new string('0', -exponent - 1) + digits;
        }
        else if (digits.Length <= exponent + 1)
        {
            text = digits + new string('0', exponent + 1 - digits.Length);
        }
        else
        {
            text = digits[..(exponent + 1)] + "." + digits[(exponent + 1)..];
        }

        return sign + text;
    }
}
