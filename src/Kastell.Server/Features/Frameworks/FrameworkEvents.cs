using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Features.Frameworks;

/// <summary>The Frameworks feature's events (block 3000–3099).</summary>
[AuditEventBlock(3000, 3099)]
public static class FrameworkEvents
{
    /// <summary>A framework imported for the first time; details: title, version, requirement count.</summary>
    public static readonly AuditEventType FrameworkImported = new(3000);

    /// <summary>A new version of a framework imported; details: version, added, changed, withdrawn.</summary>
    public static readonly AuditEventType FrameworkVersionImported = new(3001);

    /// <summary>An import refused (malformed file, unresolvable profile); details: the error code and its JSON pointer.</summary>
    public static readonly AuditEventType FrameworkImportRefused = new(3002);
}
