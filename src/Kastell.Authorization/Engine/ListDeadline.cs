using System.Diagnostics;

namespace Kastell.Authorization.Engine;

/// <summary>The time budget of a list query, checked between steps.</summary>
internal readonly struct ListDeadline(TimeSpan budget)
{
    private readonly long _end = Stopwatch.GetTimestamp() + (long)(budget.TotalSeconds * Stopwatch.Frequency);

    public bool Passed => Stopwatch.GetTimestamp() > _end;
}
