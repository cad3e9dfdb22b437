namespace Kastell.Server;

/// <summary>Marker for the shared user-visible texts in <c>Resources/Strings.resx</c> (English) and <c>Strings.de.resx</c> (German).</summary>
public sealed class Strings;
