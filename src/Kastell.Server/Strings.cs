namespace Kastell.Server;

/// <summary>
/// Marker for Kastell's user-visible texts: inject <c>IStringLocalizer&lt;Strings&gt;</c>. The texts live beside the code
/// that shows them, in a <c>strings.tsv</c> per feature (see <c>Platform/Localization/TsvStringLocalizer</c>).
/// </summary>
public sealed class Strings;
