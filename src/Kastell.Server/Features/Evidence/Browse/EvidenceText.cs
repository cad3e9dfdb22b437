using System.Globalization;

namespace Kastell.Server.Features.Evidence.Browse;

/// <summary>Dates as the pages show them, in the reader's culture.</summary>
public static class EvidenceText
{
    public static string Day(DateOnly day) => day.ToString("d", CultureInfo.CurrentCulture);

    /// <summary>The day evidence speaks for, or its observation period (from – to).</summary>
    public static string Period(DateOnly? effectiveOn, DateOnly? from, DateOnly? to) =>
        effectiveOn is { } day ? Day(day) : from is { } start && to is { } end ? $"{Day(start)} – {Day(end)}" : "–";
}
