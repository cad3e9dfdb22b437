using System.Globalization;
using Kastell.Authorization.Conditions.Cel;
using Kastell.Authorization.Model;

namespace Kastell.Authorization.Conditions;

/// <summary>
/// Converts a JSON-like context value to the CEL value of a declared parameter type, with OpenFGA's rules:
/// numbers arrive as doubles and must be integral for <c>int</c>/<c>uint</c> (numeric strings are accepted too),
/// timestamps are RFC 3339 strings, durations Go duration strings, IP addresses strings; lists and maps convert
/// element-wise; <c>any</c> keeps the JSON shape.
/// </summary>
internal static class ParameterValueConverter
{
    public static object Convert(object? value, ConditionParameterType type) => Convert(value, type, 0);

    private static object Convert(object? value, ConditionParameterType type, int depth) => type.TypeName switch
    {
        ConditionTypeName.Any => FromJson(value, depth),
        ConditionTypeName.Bool => value is bool b ? b : throw Mismatch("a bool", value),
        ConditionTypeName.String => value is string s ? s : throw Mismatch("a string", value),
        ConditionTypeName.Int => ToInt(value),
        ConditionTypeName.Uint => ToUint(value),
        ConditionTypeName.Double => ToNumber(value, "a double"),
        ConditionTypeName.Duration => value is string d && GoDuration.TryParse(d, out var duration)
            ? duration
            : throw Mismatch("a duration string such as '1h30m'", value),
        ConditionTypeName.Timestamp => value is string t && Rfc3339.TryParse(t, out var timestamp)
            ? timestamp
            : throw Mismatch("an RFC 3339 timestamp string", value),
        ConditionTypeName.IpAddress => value is string ip && IpAddresses.TryParse(ip, out var address)
            ? address
            : throw Mismatch("a well-formed IP address string", value),
        ConditionTypeName.List => value is IReadOnlyList<object?> list
            ? list.Select((item, index) => Element(item, type.GenericTypes[0], depth, $"list item at index {index}")).ToArray()
            : throw Mismatch("a list", value),
        ConditionTypeName.Map => value is IReadOnlyDictionary<string, object?> map
            ? new CelMapValue(map.ToDictionary(
                e => (object)e.Key, e => Element(e.Value, type.GenericTypes[0], depth, $"value for key '{e.Key}'"), CelMapValue.KeyComparer))
            : throw Mismatch("a map", value),
        _ => throw new ConditionException($"unsupported parameter type '{type.TypeName}'"),
    };

    private static object Element(object? value, ConditionParameterType type, int depth, string where)
    {
        try
        {
            return Convert(value, type, Deeper(depth));
        }
        catch (ConditionException e)
        {
            throw new ConditionException($"found an invalid {where}: {e.Message}");
        }
    }

    /// <summary><c>any</c>: JSON as CEL sees a <c>google.protobuf.Value</c> (every number a double).</summary>
    private static object FromJson(object? value, int depth) => value switch
    {
        null => CelNull.Instance,
        bool or string => value,
        IReadOnlyList<object?> list => list.Select(item => FromJson(item, Deeper(depth))).ToArray(),
        IReadOnlyDictionary<string, object?> map => new CelMapValue(
            map.ToDictionary(e => (object)e.Key, e => FromJson(e.Value, Deeper(depth)), CelMapValue.KeyComparer)),
        _ when AsDouble(value) is { } d && double.IsFinite(d) => d,
        _ => throw Mismatch("a JSON value", value),
    };

    private static int Deeper(int depth) => depth < CelLimits.MaxValueDepth
        ? depth + 1
        : throw new ConditionException($"value nests deeper than {CelLimits.MaxValueDepth} levels");

    private static double? AsDouble(object? value) => value switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        uint u => u,
        ulong u => u,
        short s => s,
        ushort u => u,
        byte b => b,
        sbyte b => b,
        decimal m => (double)m,
        _ => null,
    };

    private static double ToNumber(object? value, string expected)
    {
        if (AsDouble(value) is { } d)
        {
            // JSON has no infinities or NaN; OpenFGA rejects such a context before the condition sees it.
            return double.IsFinite(d) ? d : throw Mismatch($"{expected} (a finite number)", value);
        }

        // OpenFGA also accepts numbers written as strings ("10", "1e3").
        if (value is string s && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed))
        {
            return parsed;
        }

        throw Mismatch(expected, value);
    }

    private static long ToInt(object? value)
    {
        if (value is long l)
        {
            return l;
        }

        var d = ToNumber(value, "an int");
        if (!double.IsFinite(d) || Math.Floor(d) != d)
        {
            throw new ConditionException($"expected an int value, but found numeric value '{Format(d)}'");
        }

        // Go's big.Float.Int64, which OpenFGA uses, saturates out-of-range values instead of failing.
        return d >= 9.2233720368547758E18 ? long.MaxValue : d <= -9.2233720368547758E18 ? long.MinValue : (long)d;
    }

    private static ulong ToUint(object? value)
    {
        if (value is ulong u)
        {
            return u;
        }

        var d = ToNumber(value, "a uint");
        if (!double.IsFinite(d) || Math.Floor(d) != d)
        {
            throw new ConditionException($"expected a uint value, but found numeric value '{Format(d)}'");
        }

        if (d < 0)
        {
            throw new ConditionException($"expected a uint value, but found negative value '{Format(d)}'");
        }

        return d >= 9.2233720368547758E18 ? long.MaxValue : (ulong)d;
    }

    private static string Format(double d) => CelValues.FormatDouble(d);

    private static ConditionException Mismatch(string expected, object? value)
    {
        var found = value switch
        {
            null => "null",
            string s => $"string '{s}'",
            bool b => b ? "bool true" : "bool false",
            IReadOnlyList<object?> => "a list",
            IReadOnlyDictionary<string, object?> => "a map",
            _ when AsDouble(value) is { } d => $"number {Format(d)}",
            _ => value.GetType().Name,
        };
        return new ConditionException($"expected {expected}, but found {found}");
    }
}
