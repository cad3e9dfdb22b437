using System.Net;

namespace Kastell.Authorization.Conditions.Cel;

/// <summary>CEL's <c>null</c>. A singleton rather than a C# null so that "no value" can never be confused with it.</summary>
internal sealed class CelNull
{
    public static readonly CelNull Instance = new();

    private CelNull()
    {
    }

    public override string ToString() => "null";
}

/// <summary>
/// A runtime error carried as a value, so that <c>&amp;&amp;</c>, <c>||</c> and the macros can absorb it
/// the way CEL specifies (<c>false &amp;&amp; error</c> is <c>false</c>).
/// </summary>
internal sealed record CelError(string Message);

/// <summary>
/// The value of an expression that depends on parameters absent from the context (cel-go's partial evaluation).
/// Like an error it propagates, but it wins over errors so that missing parameters are reported as such.
/// </summary>
internal sealed class CelUnknown(IReadOnlyCollection<string> parameters)
{
    public IReadOnlyCollection<string> Parameters { get; } = parameters;

    public static CelUnknown Merge(CelUnknown? first, CelUnknown second) =>
        first is null ? second : new CelUnknown(first.Parameters.Union(second.Parameters).ToArray());
}

/// <summary>A CEL duration: signed nanoseconds, the same range as Go's <c>time.Duration</c>.</summary>
internal readonly record struct CelDuration(long Nanoseconds) : IComparable<CelDuration>
{
    public int CompareTo(CelDuration other) => Nanoseconds.CompareTo(other.Nanoseconds);

    public override string ToString() => GoDuration.FormatSeconds(this);
}

/// <summary>
/// A CEL timestamp: nanoseconds since the Unix epoch, valid from year 1 to year 9999 in UTC. Like Go's
/// <c>time.Time</c> it remembers the UTC offset it was written with, because cel-go (without its opt-in UTC default,
/// which OpenFGA does not enable) reads <c>getHours()</c> and friends in that offset. Equality and order ignore it.
/// </summary>
internal readonly struct CelTimestamp(Int128 unixNanoseconds, int offsetMinutes = 0) : IComparable<CelTimestamp>, IEquatable<CelTimestamp>
{
    public static readonly Int128 MinNanoseconds = (Int128)(DateTimeOffset.MinValue.ToUnixTimeSeconds()) * 1_000_000_000;

    public static readonly Int128 MaxNanoseconds = (Int128)(DateTimeOffset.MaxValue.ToUnixTimeSeconds()) * 1_000_000_000 + 999_999_999;

    public Int128 UnixNanoseconds { get; } = unixNanoseconds;

    public int OffsetMinutes { get; } = offsetMinutes;

    public bool IsInRange => UnixNanoseconds >= MinNanoseconds && UnixNanoseconds <= MaxNanoseconds;

    public long UnixSeconds => (long)Int128.DivRem(UnixNanoseconds - MinNanoseconds, 1_000_000_000).Quotient + DateTimeOffset.MinValue.ToUnixTimeSeconds();

    /// <summary>Nanoseconds within the second, always 0..999_999_999.</summary>
    public int NanosOfSecond => (int)((UnixNanoseconds - MinNanoseconds) % 1_000_000_000);

    /// <summary>The same instant moved by <paramref name="nanoseconds"/>, keeping the offset (as Go's <c>Time.Add</c>).</summary>
    public CelTimestamp Add(Int128 nanoseconds) => new(UnixNanoseconds + nanoseconds, OffsetMinutes);

    /// <summary>The instant in its own offset, to 100 ns precision.</summary>
    public DateTimeOffset ToDateTimeOffset() =>
        DateTimeOffset.FromUnixTimeSeconds(UnixSeconds).AddTicks(NanosOfSecond / 100).ToOffset(TimeSpan.FromMinutes(OffsetMinutes));

    public int CompareTo(CelTimestamp other) => UnixNanoseconds.CompareTo(other.UnixNanoseconds);

    public bool Equals(CelTimestamp other) => UnixNanoseconds == other.UnixNanoseconds;

    public override bool Equals(object? obj) => obj is CelTimestamp other && Equals(other);

    public override int GetHashCode() => UnixNanoseconds.GetHashCode();

    public override string ToString() => Rfc3339.Format(this);
}

/// <summary>OpenFGA's <c>ipaddress</c> extension type.</summary>
internal sealed record CelIpAddress(IPAddress Address)
{
    public override string ToString() => Address.ToString();
}
