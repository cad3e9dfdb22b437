using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Features.Assets;

/// <summary>The Assets feature's events (block 3200–3299).</summary>
[AuditEventBlock(3200, 3299)]
public static class AssetEvents
{
    /// <summary>An asset created; details: space, name, kind.</summary>
    public static readonly AuditEventType AssetCreated = new(3200);

    /// <summary>An asset's name, kind, description, owner, protection needs or overrides changed; details: the fields that changed.</summary>
    public static readonly AuditEventType AssetUpdated = new(3201);

    /// <summary>An asset deleted (with its dependencies both ways); details: space, name.</summary>
    public static readonly AuditEventType AssetDeleted = new(3202);

    /// <summary>An asset now depends on another; details: dependsOn.</summary>
    public static readonly AuditEventType AssetDependencyAdded = new(3203);

    /// <summary>An asset no longer depends on another; details: dependsOn.</summary>
    public static readonly AuditEventType AssetDependencyRemoved = new(3204);

    /// <summary>Assets imported from a file into a Space (each also as created); details: assets, dependencies, file, sha256.</summary>
    public static readonly AuditEventType AssetsImported = new(3205);
}
