using System.Globalization;
using System.Text.RegularExpressions;

namespace Kastell.Authorization.Conditions.Cel;

/// <summary>RFC 3339 timestamps as Go's <c>time.Parse(time.RFC3339, ...)</c> accepts them, with up to nanosecond fractions.</summary>
internal static partial class Rfc3339
{
    [GeneratedRegex(@"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool TryParse(string text, out CelTimestamp timestamp)
    {
        timestamp = default;
        var m = Pattern().Match(text);
        if (!m.Success)
        {
            return false;
        }

        int Part(int group) => int.Parse(m.Groups[group].ValueSpan, CultureInfo.InvariantCulture);

        var (year, month, day, hour, minute, second) = (Part(1), Part(2), Part(3), Part(4), Part(5), Part(6));
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var offsetMinutes = 0;
        if (!m.Groups[8].Success)
        {
            var (offHours, offMinutes) = (Part(10), Part(11));
            if (offHours > 23 || offMinutes > 59)
            {
                return false;
            }

            offsetMinutes = (offHours * 60 + offMinutes) * (m.Groups[9].Value == "-" ? -1 : 1);
        }

        var fraction = m.Groups[7].Success ? m.Groups[7].Value.PadRight(9, '0') : "0";
        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified);
        var unixSeconds = (Int128)(new DateTimeOffset(local, TimeSpan.Zero).ToUnixTimeSeconds() - offsetMinutes * 60L);
        timestamp = new CelTimestamp(unixSeconds * 1_000_000_000 + int.Parse(fraction, CultureInfo.InvariantCulture), offsetMinutes);
        return timestamp.IsInRange;
    }

    /// <summary>Go's <c>time.RFC3339Nano</c> in the timestamp's own offset, as cel-go's <c>string(timestamp)</c> prints it.</summary>
    public static string Format(CelTimestamp timestamp)
    {
        var local = timestamp.ToDateTimeOffset();
        var text = local.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        var nanos = timestamp.NanosOfSecond;
        if (nanos != 0)
        {
            text += "." + nanos.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        }

        var offset = timestamp.OffsetMinutes;
        return offset == 0
            ? text + "Z"
            : $"{text}{(offset < 0 ? '-' : '+')}{Math.Abs(offset) / 60:00}:{Math.Abs(offset) % 60:00}";
    }
}
