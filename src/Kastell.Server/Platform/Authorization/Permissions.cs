using Kastell.Authorization.Engine;
using Kastell.Authorization.Storage.EntityFramework;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Authorization;

/// <summary>A decision of the engine, with its explanation: the relation path that allowed, or why it denied.</summary>
public readonly record struct Decision(bool Allowed, string Explanation);

/// <summary>
/// The one place where Kastell decides access: every question is a permission (<c>can_…</c>) of the authorization
/// model on one object, asked for the acting user in the request's organization (its own tuple store). It fails
/// closed — no user, no tenant, or an engine error denies (the error is logged) — and it never asks for a role, so a
/// role can be redefined in the model without touching code. Decisions are remembered for the rest of the request
/// (not longer: a revocation in another process takes effect on the very next request); a write through
/// <see cref="RelationshipWriter"/> forgets them.
/// </summary>
public sealed partial class Permissions(
    KastellModel model,
    IDbContextFactory<KastellDbContext> contexts,
    Tenant tenant,
    CurrentActor actor,
    IAuditLog audit,
    TimeProvider time,
    ILogger<Permissions> logger)
{
    /// <summary>The longest explanation kept in an audit event's details.</summary>
    private const int MaxExplanationLength = 500;

    private readonly Dictionary<(string Object, string Permission), bool> _decisions = [];
    private AuthorizationEngine? _engine;
    private RequestTupleReads? _reads;

    /// <summary>The organization's tuple store: its id.</summary>
    public static string StoreId(Guid organizationId) => organizationId.ToString("D");

    /// <summary>An object of the model, e.g. <c>space:0193…</c>.</summary>
    public static string Object(string type, Guid id) => $"{type}:{id:D}";

    public static string User(Guid userId) => Object("user", userId);

    private AuthorizationEngine Engine => _engine ??=
        model.Over(_reads = new RequestTupleReads(new EntityFrameworkTupleStore<KastellDbContext>(contexts, StoreId(tenant.RequireOrganizationId()), time)));

    /// <summary>Whether the acting user has <paramref name="permission"/> on the object; nothing is audited.</summary>
    public async Task<bool> HasAsync(string type, Guid id, string permission, CancellationToken cancellationToken = default)
    {
        var key = (Object(type, id), permission);
        if (_decisions.TryGetValue(key, out var known))
        {
            return known;
        }

        var decision = await DecideAsync(type, id, permission, explain: false, cancellationToken);
        _decisions[key] = decision.Allowed;
        return decision.Allowed;
    }

    /// <summary>
    /// Whether the acting user has <paramref name="permission"/>; a denial is audited with the engine's explanation, and
    /// so is an allow when <paramref name="auditAllow"/> (sensitive permissions: audit reading, member management,
    /// keys, deletions).
    /// </summary>
    public async Task<bool> RequireAsync(string type, Guid id, string permission, bool auditAllow = false, CancellationToken cancellationToken = default)
    {
        // An allow already decided in this request, with nothing to record, is not worth an explanation: a denial
        // (recorded with its explanation) and an allow to be recorded are always decided again.
        if (!auditAllow && _decisions.TryGetValue((Object(type, id), permission), out var known) && known)
        {
            return true;
        }

        var decision = await DecideAsync(type, id, permission, explain: true, cancellationToken);
        _decisions[(Object(type, id), permission)] = decision.Allowed;
        if (!decision.Allowed || auditAllow)
        {
            await RecordAsync(type, id, permission, decision, cancellationToken);
        }

        return decision.Allowed;
    }

    /// <summary>The engine's decision with its explanation. Fails closed.</summary>
    public async Task<Decision> DecideAsync(string type, Guid id, string permission, bool explain = true, CancellationToken cancellationToken = default)
    {
        if (actor.UserId is not { } user || tenant.OrganizationId is null)
        {
            return new(false, "no signed-in user or no organization");
        }

        try
        {
            var result = await Engine.CheckAsync(new CheckRequest(Object(type, id), permission, User(user)) { Explain = explain }, cancellationToken);
            return new(result.Allowed, explain ? result.Explanation : "");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogEngineFailure(logger, exception, type, permission);
            return new(false, "the authorization engine failed; denied");
        }
    }

    /// <summary>The ids of every object of <paramref name="type"/> in this organization the acting user has <paramref name="permission"/> on.</summary>
    public async Task<IReadOnlyList<Guid>> ObjectsAsync(string type, string permission, CancellationToken cancellationToken = default)
    {
        if (actor.UserId is not { } user || tenant.OrganizationId is null)
        {
            return [];
        }

        try
        {
            var result = await Engine.ListObjectsAsync(new ListObjectsRequest(type, permission, User(user)), cancellationToken);
            return [.. result.Objects.Select(o => Guid.Parse(o.AsSpan(type.Length + 1)))];
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogEngineFailure(logger, exception, type, permission);
            return [];
        }
    }

    /// <summary>Every user (and userset) with <paramref name="relation"/> on the object, for "who has access" views.</summary>
    public async Task<IReadOnlyList<string>> UsersAsync(string type, Guid id, string relation, CancellationToken cancellationToken = default)
    {
        var result = await Engine.ListUsersAsync(new ListUsersRequest(Object(type, id), relation, [new UserTypeFilter("user")]), cancellationToken);
        return result.Users;
    }

    /// <summary>Forgets the decisions of this request (after a write changed relations).</summary>
    internal void Forget()
    {
        _decisions.Clear();
        _reads?.Forget();
    }

    /// <summary>The engine, for the writer's validation.</summary>
    internal AuthorizationEngine EngineForWrites => Engine;

    private Task RecordAsync(string type, Guid id, string permission, Decision decision, CancellationToken cancellationToken)
    {
        var explanation = decision.Explanation.Length <= MaxExplanationLength ? decision.Explanation : decision.Explanation[..MaxExplanationLength];
        return audit.RecordNowAsync(new(
            decision.Allowed ? AuthorizationEvents.AuthorizationGranted : AuthorizationEvents.AuthorizationDenied,
            actor.Actor,
            new AuditTarget(type, id.ToString()),
            decision.Allowed ? AuditOutcome.Succeeded : AuditOutcome.Denied,
            new Dictionary<string, string> { ["permission"] = permission, ["reason"] = "relation", ["explanation"] = explanation }), cancellationToken);
    }

    [LoggerMessage(EventId = 9100, Level = LogLevel.Error, Message = "Authorization engine failed checking {Permission} on a {Type}; the request was denied.")]
    private static partial void LogEngineFailure(ILogger logger, Exception exception, string type, string permission);
}
