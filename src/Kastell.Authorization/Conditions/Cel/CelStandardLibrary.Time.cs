using System.Globalization;
using System.Text.RegularExpressions;

namespace Kastell.Authorization.Conditions.Cel;

internal static partial class CelStandardLibrary
{
    private static void AddTime(Action<string, CelType[], CelType, Func<object[], object>> member)
    {
        (string Name, Func<DateTimeOffset, CelTimestamp, long> Part)[] timestampParts =
        [
            ("getFullYear", (t, _) => t.Year),
            ("getMonth", (t, _) => t.Month - 1),
            ("getDate", (t, _) => t.Day),
            ("getDayOfMonth", (t, _) => t.Day - 1),
            ("getDayOfWeek", (t, _) => (long)t.DayOfWeek),
            ("getDayOfYear", (t, _) => t.DayOfYear - 1),
            ("getHours", (t, _) => t.Hour),
            ("getMinutes", (t, _) => t.Minute),
            ("getSeconds", (t, _) => t.Second),
            ("getMilliseconds", (_, raw) => raw.NanosOfSecond / 1_000_000),
        ];
        foreach (var (name, part) in timestampParts)
        {
            member(name, [T], I, a => part(((CelTimestamp)a[0]).ToDateTimeOffset(), (CelTimestamp)a[0]));
            member(name, [T, S], I, a => InZone((CelTimestamp)a[0], (string)a[1]) is { } local
                ? part(local, (CelTimestamp)a[0])
                : new CelError($"unknown time zone '{a[1]}'"));
        }

        // Duration accessors return the whole duration in the unit, truncated, as cel-go does.
        member("getHours", [D], I, a => ((CelDuration)a[0]).Nanoseconds / 3_600_000_000_000);
        member("getMinutes", [D], I, a => ((CelDuration)a[0]).Nanoseconds / 60_000_000_000);
        member("getSeconds", [D], I, a => ((CelDuration)a[0]).Nanoseconds / 1_000_000_000);
        member("getMilliseconds", [D], I, a => ((CelDuration)a[0]).Nanoseconds / 1_000_000);
    }

    /// <summary>A timestamp seen in a time zone: an IANA name (<c>Europe/Berlin</c>), <c>UTC</c>, or a fixed offset (<c>+05:30</c>).</summary>
    private static DateTimeOffset? InZone(CelTimestamp timestamp, string zone)
    {
        var utc = timestamp.ToDateTimeOffset();
        var offset = Regex.Match(zone, @"^([+-])?(\d{2}):(\d{2})$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
        if (offset.Success)
        {
            var span = new TimeSpan(
                int.Parse(offset.Groups[2].ValueSpan, CultureInfo.InvariantCulture),
                int.Parse(offset.Groups[3].ValueSpan, CultureInfo.InvariantCulture),
                0);
            if (span > TimeSpan.FromHours(14))
            {
                return null;
            }

            return utc.ToOffset(offset.Groups[1].Value == "-" ? -span : span);
        }

        try
        {
            return TimeZoneInfo.ConvertTime(utc, TimeZoneInfo.FindSystemTimeZoneById(zone));
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            return null;
        }
    }
}
