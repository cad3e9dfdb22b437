namespace Kastell.Browser.Tests.Accessibility;

/// <summary>The axe-core result for one page state visited in a test.</summary>
public sealed record AxePageScan(string Page, string Url, IReadOnlyList<AxeViolation> Violations);
