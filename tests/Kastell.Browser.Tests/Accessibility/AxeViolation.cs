namespace Kastell.Browser.Tests.Accessibility;

/// <summary>One axe-core rule that failed on a page, with the CSS selectors of the offending elements.</summary>
public sealed record AxeViolation(string Id, string Impact, string Help, IReadOnlyList<string> Targets)
{
    /// <summary>Impacts that fail the build; minor and moderate ones are counted and reported only.</summary>
    public bool IsBlocking => Impact is "serious" or "critical";

    public override string ToString() => $"{Id} [{Impact}] {Help}: {string.Join(" | ", Targets)}";
}
