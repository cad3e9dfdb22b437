using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Features.Evidence.Visibility;

/// <summary>
/// The Space setting "evidence visible to all members": one tuple, <c>space:S#evidence_audience@space:S#viewer</c>,
/// that widens <c>evidence#can_read</c> from those who answer for the evidence to every viewer of the Space. The
/// setting exists only as that tuple (ADR 0014: relations that exist only for authorization are tuples only), so what
/// a page shows and what the engine decides cannot disagree. Off by default.
/// </summary>
internal sealed class EvidenceVisibilityCommand(KastellDbContext db, Tenant tenant, Permissions permissions, RelationshipWriter relationships,
    RelationshipReader reader, CurrentActor actor, IAuditLog audit)
{
    public const string Relation = "evidence_audience";

    public async Task<bool> VisibleToAllAsync(Guid spaceId, CancellationToken cancellationToken = default) =>
        (await reader.OfObjectAsync(Permissions.Object("space", spaceId), [Relation], cancellationToken)).Any(t => t.User == Audience(spaceId));

    public async Task<Result> ExecuteAsync(bool visibleToAll, CancellationToken cancellationToken = default)
    {
        var space = tenant.RequireSpace();
        if (!await permissions.RequireAsync("space", space.Id, "can_configure_evidence", auditAllow: true, cancellationToken: cancellationToken))
        {
            return Failures.NotAllowed;
        }

        var @object = Permissions.Object("space", space.Id);
        var changed = visibleToAll
            ? await relationships.GrantAsync(@object, Relation, Audience(space.Id), cancellationToken)
            : await relationships.RevokeAsync(@object, Relation, Audience(space.Id), cancellationToken);
        if (changed)
        {
            audit.Record(new(EvidenceEvents.EvidenceVisibilityChanged, actor.Actor, new AuditTarget("space", space.Id.ToString()), Details: new Dictionary<string, string>
            {
                ["space"] = space.Id.ToString(),
                ["visibleToAll"] = visibleToAll ? "true" : "false",
            }));
            await db.SaveChangesAsync(cancellationToken);
        }

        return Result.Done;
    }

    private static string Audience(Guid spaceId) => Permissions.Object("space", spaceId) + "#viewer";
}
