namespace Kastell.Authorization.Conditions.Cel;

/// <summary>
/// A CEL map at run time. Keys are <see cref="string"/>, <see cref="long"/>, <see cref="ulong"/> or <see cref="bool"/>;
/// numeric keys match by value across int, uint and double, as CEL's heterogeneous equality requires.
/// </summary>
internal sealed class CelMapValue(IReadOnlyDictionary<object, object> entries)
{
    public static readonly IEqualityComparer<object> KeyComparer = new NumericAwareComparer();

    public IReadOnlyDictionary<object, object> Entries { get; } = entries;

    public int Count => Entries.Count;

    public bool TryGet(object key, out object value) => Entries.TryGetValue(key, out value!);

    private sealed class NumericAwareComparer : IEqualityComparer<object>
    {
        public new bool Equals(object? x, object? y) =>
            x is not null && y is not null && (CelValues.IsNumber(x) && CelValues.IsNumber(y)
                ? CelValues.CompareNumbers(x, y) == 0
                : x.Equals(y));

        public int GetHashCode(object obj) => obj switch
        {
            long l => l.GetHashCode(),
            ulong u when u <= long.MaxValue => ((long)u).GetHashCode(),
            double d when d == Math.Floor(d) && d >= long.MinValue && d < 9.2233720368547758E18 => ((long)d).GetHashCode(),
            _ => obj.GetHashCode(),
        };
    }
}
