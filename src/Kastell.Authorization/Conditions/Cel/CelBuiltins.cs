namespace Kastell.Authorization.Conditions.Cel;

/// <summary>Run-time dispatch of calls whose arguments are all plain values (no errors, no unknowns).</summary>
internal static class CelBuiltins
{
    public static object Invoke(CelCall call, object[] values)
    {
        switch (call.Function)
        {
            case "_==_":
                return CelValues.ValuesEqual(values[0], values[1]);
            case "_!=_":
                return !CelValues.ValuesEqual(values[0], values[1]);
            case "@in":
                return In(values[0], values[1]);
            case "_[_]":
                return Index(values[0], values[1]);
            case "size" when values.Length == 1:
                return Size(values[0]);
            case "_+_" when values is [IReadOnlyList<object> left, IReadOnlyList<object> right]:
                return left.Concat(right).ToArray();
            case "dyn" when call.Target is null && values.Length == 1:
                return values[0];
        }

        if (CelStandardLibrary.Functions.TryGetValue(call.Function, out var overloads))
        {
            var isMember = call.Target is not null;
            foreach (var overload in overloads)
            {
                if (overload.IsMember == isMember && overload.Parameters.Length == values.Length && overload.MatchesValues(values))
                {
                    return overload.Invoke(values);
                }
            }
        }

        return new CelError($"no such overload: {call.Function}({string.Join(", ", values.Select(CelValues.TypeName))})");
    }

    private static object In(object element, object container) => container switch
    {
        IReadOnlyList<object> list => list.Any(item => CelValues.ValuesEqual(element, item)),
        CelMapValue map => IsValidKey(element) && map.TryGet(element, out _),
        _ => new CelError($"no such overload: {CelValues.TypeName(element)} in {CelValues.TypeName(container)}"),
    };

    private static bool IsValidKey(object key) => key is string or long or ulong or bool or double;

    private static object Index(object container, object index)
    {
        switch (container)
        {
            case IReadOnlyList<object> list:
                long? position = index switch
                {
                    long l => l,
                    ulong u when u <= long.MaxValue => (long)u,
                    double d when d == Math.Floor(d) && Math.Abs(d) < 9.2233720368547758E18 => (long)d,
                    _ => null,
                };
                if (position is not { } p)
                {
                    return new CelError($"unsupported index type '{CelValues.TypeName(index)}' in list");
                }

                return p >= 0 && p < list.Count ? list[(int)p] : new CelError($"index out of bounds: {p}");
            case CelMapValue map:
                if (!IsValidKey(index))
                {
                    return new CelError($"unsupported key type '{CelValues.TypeName(index)}' in map");
                }

                return map.TryGet(index, out var value) ? value : new CelError($"no such key: {index}");
            default:
                return new CelError($"no such overload: {CelValues.TypeName(container)}[{CelValues.TypeName(index)}]");
        }
    }

    private static object Size(object value) => value switch
    {
        // CEL counts code points, not UTF-16 units.
        string s => (long)s.EnumerateRunes().Count(),
        byte[] b => (long)b.Length,
        IReadOnlyList<object> list => (long)list.Count,
        CelMapValue map => (long)map.Count,
        _ => new CelError($"no such overload: size({CelValues.TypeName(value)})"),
    };
}
