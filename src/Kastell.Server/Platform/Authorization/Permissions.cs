using System.Diagnostics;
using Kastell.Authorization.Engine;
using Kastell.Authorization.Storage.EntityFramework;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Identity.Tokens;
using Kastell.Server.Platform.Observability;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Authorization;

/// <summary>A decision of the engine, with its explanation: the relation path that allowed, or why it denied.</summary>
public readonly record struct Decision(bool Allowed, string Explanation);

/// <summary>The ids a list query found; <see cref="Truncated"/> when the engine's limit or deadline cut it short, <see cref="Everyone"/> for a wildcard grant.</summary>
public sealed record Reach(IReadOnlyList<Guid> Ids, bool Truncated, bool Everyone = false);

/// <summary>
/// The one place where Kastell decides access: every question is a permission (<c>can_…</c>) of the authorization
/// model on one object, asked for the acting subject (a user, or an API token's owner or service account, within the
/// token's reach) in the request's organization (its own tuple store). It fails
/// closed — no subject, no tenant, or an engine error denies (the error is logged) — and it never asks for a role, so a
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
    ILogger<Permissions> logger) : IAsyncDisposable, IDisposable
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

    /// <summary>The request's tuple store: one context for all of the request's decisions (its connection is taken from the pool per read).</summary>
    private EntityFrameworkTupleStore<KastellDbContext>? _store;

    private AuthorizationEngine Engine => _engine ??= model.Over(_reads = new RequestTupleReads(
        _store = new EntityFrameworkTupleStore<KastellDbContext>(contexts, StoreId(tenant.RequireOrganizationId()), time, oneContext: true), model.LinkRelations));

    /// <summary>Closes the request's tuple reads (their context).</summary>
    public ValueTask DisposeAsync() => _store?.DisposeAsync() ?? ValueTask.CompletedTask;

    public void Dispose() => _store?.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// The engine for "who has access" views (ListUsers, ListObjects for someone else, Explain): its tuple reads are
    /// remembered for the request and its lists may take longer than a decision's, since a review lists everyone.
    /// Never used to decide access.
    /// </summary>
    private AuthorizationEngine Review => _review ??=
        model.ForReview(new ReviewTupleCache(new EntityFrameworkTupleStore<KastellDbContext>(contexts, StoreId(tenant.RequireOrganizationId()), time)));

    private AuthorizationEngine? _review;

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

        var decision = await CheckAsync(type, id, permission, cancellationToken);
        if (decision.Allowed && auditAllow)
        {
            await RecordAsync(type, id, permission, decision, cancellationToken);
        }

        return decision.Allowed;
    }

    /// <summary>
    /// The decision with its explanation, remembered for the request; a denial is audited, an allow is left to the
    /// caller (<see cref="RecordAllowAsync"/>), which may record it only once the whole request is let through.
    /// </summary>
    internal async Task<Decision> CheckAsync(string type, Guid id, string permission, CancellationToken cancellationToken = default)
    {
        var decision = await DecideAsync(type, id, permission, explain: true, cancellationToken);
        _decisions[(Object(type, id), permission)] = decision.Allowed;
        if (!decision.Allowed)
        {
            await RecordAsync(type, id, permission, decision, cancellationToken);
        }

        return decision;
    }

    /// <summary>Records an allow of a sensitive permission, with the relation path that allowed it.</summary>
    internal Task RecordAllowAsync(string type, Guid id, string permission, Decision decision, CancellationToken cancellationToken = default) =>
        decision.Allowed ? RecordAsync(type, id, permission, decision, cancellationToken) : throw new ArgumentException("Not an allow.", nameof(decision));

    /// <summary>
    /// The engine's decision with its explanation. Fails closed. For a request with an API token the decision is the
    /// intersection of three: the token carries the permission, the object lies in the token's reach (its organization
    /// or its Spaces, asked of the engine with the reach as contextual tuples), and the token's subject — its owner or
    /// its service account — holds the permission now.
    /// </summary>
    public async Task<Decision> DecideAsync(string type, Guid id, string permission, bool explain = true, CancellationToken cancellationToken = default)
    {
        if (actor.Subject is not { } subject || tenant.OrganizationId is not { } organization)
        {
            return new(false, "no signed-in user or no organization");
        }

        using var timing = Measure("check");
        try
        {
            if (actor.Token is { } token && await TokenRefusalAsync(token, organization, type, id, permission, cancellationToken) is { } refusal)
            {
                return new(false, refusal);
            }

            var result = await Engine.CheckAsync(new CheckRequest(Object(type, id), permission, subject) { Explain = explain }, cancellationToken);
            return new(result.Allowed, explain ? result.Explanation : "");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogEngineFailure(logger, exception, type, permission);
            return new(false, "the authorization engine failed; denied");
        }
    }

    /// <summary>Why the request's token may not do this (whatever its subject may), or null.</summary>
    private async Task<string?> TokenRefusalAsync(ApiTokenGrant token, Guid organization, string type, Guid id, string permission, CancellationToken cancellationToken)
    {
        if (token.OrganizationId != organization)
        {
            return "denied: the API token belongs to another organization";
        }

        if (!token.Carries(type, permission))
        {
            return $"denied: the API token does not carry {ApiTokenReach.Name(type, permission)}";
        }

        // Every token enters its own organization (a token limited to Spaces reads nothing else of it: every other
        // organization permission needs the organization in reach).
        if (type == "organization" && permission == "can_read")
        {
            return null;
        }

        var reach = await Engine.CheckAsync(new CheckRequest(Object(type, id), ApiTokenReach.Relation, ApiTokenReach.TokenObject(token.TokenId))
        {
            ContextualTuples = token.ReachTuples(),
        }, cancellationToken);
        return reach.Allowed ? null : "denied: the object lies outside the API token's Spaces";
    }

    /// <summary>The ids of every object of <paramref name="type"/> in this organization the acting user has <paramref name="permission"/> on.</summary>
    public async Task<IReadOnlyList<Guid>> ObjectsAsync(string type, string permission, CancellationToken cancellationToken = default)
    {
        if (actor.Subject is not { } subject || tenant.OrganizationId is null)
        {
            return [];
        }

        using var timing = Measure("list_objects");
        try
        {
            var result = await Engine.ListObjectsAsync(new ListObjectsRequest(type, permission, subject), cancellationToken);
            var ids = result.Objects.Select(o => Guid.Parse(o.AsSpan(type.Length + 1))).ToList();
            if (actor.Token is null)
            {
                return ids;
            }

            // A token sees only what it may see: each object through the same intersection as a single decision.
            var allowed = new List<Guid>(ids.Count);
            foreach (var id in ids)
            {
                if (await HasAsync(type, id, permission, cancellationToken))
                {
                    allowed.Add(id);
                }
            }

            return allowed;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogEngineFailure(logger, exception, type, permission);
            return [];
        }
    }

    /// <summary>
    /// Every person with <paramref name="permission"/> on the object (the engine's ListUsers), for "who has access"
    /// views; <see cref="Reach.Truncated"/> when the engine's result limit or deadline cut the list short.
    /// </summary>
    public async Task<Reach> UsersAsync(string type, Guid id, string permission, CancellationToken cancellationToken = default)
    {
        using var timing = Measure("list_users");
        var result = await Review.ListUsersAsync(new ListUsersRequest(Object(type, id), permission, [new UserTypeFilter("user")]), cancellationToken);
        return new([.. result.Users.Select(u => Guid.TryParseExact(u.AsSpan("user:".Length), "D", out var user) ? user : Guid.Empty).Where(u => u != Guid.Empty)],
            result.Truncated, result.Users.Contains("user:*"));
    }

    /// <summary>
    /// Whether <paramref name="userId"/> (anyone in the organization, not necessarily the caller) has
    /// <paramref name="permission"/> on the object, and every way they hold it — for "who has access, and why" pages
    /// (the engine's Explain). An engine error is not hidden: such a page must not show a partial answer as the whole.
    /// </summary>
    public async Task<ExplainResult> ExplainAsync(string type, Guid id, string permission, Guid userId, CancellationToken cancellationToken = default)
    {
        using var timing = Measure("explain");
        return await Review.ExplainAsync(new CheckRequest(Object(type, id), permission, User(userId)), cancellationToken);
    }

    /// <summary>The ids of every object of <paramref name="type"/> <paramref name="userId"/> has <paramref name="permission"/> on (for "what can this person reach").</summary>
    public async Task<Reach> ObjectsOfAsync(Guid userId, string type, string permission, CancellationToken cancellationToken = default)
    {
        using var timing = Measure("list_objects");
        var result = await Review.ListObjectsAsync(new ListObjectsRequest(type, permission, User(userId)), cancellationToken);
        return new([.. result.Objects.Select(o => Guid.Parse(o.AsSpan(type.Length + 1)))], result.Truncated);
    }

    /// <summary>
    /// Whether a relation holds between two arbitrary subjects of the organization's model, for structural rules rather
    /// than access (a team may not end up containing itself: does <c>team:b#member</c> hold for <c>team:a#member</c>?).
    /// </summary>
    public async Task<bool> HoldsAsync(string @object, string relation, string user, CancellationToken cancellationToken = default)
    {
        using var timing = Measure("check");
        return (await Engine.CheckAsync(new CheckRequest(@object, relation, user), cancellationToken)).Allowed;
    }

    /// <summary>Forgets the decisions (and the review reads) of this request, after a write changed relations.</summary>
    internal void Forget()
    {
        _decisions.Clear();
        _review = null;
        _reads?.Forget();
    }

    /// <summary>
    /// Whether <paramref name="subject"/> (a user or a service account) itself holds the permission in this organization,
    /// without the request's token: for issuing a token to that subject, which may carry only what its subject holds.
    /// </summary>
    public async Task<bool> SubjectHoldsAsync(string subject, string type, Guid id, string permission, CancellationToken cancellationToken = default)
    {
        if (tenant.OrganizationId is null)
        {
            return false;
        }

        using var timing = Measure("check");
        try
        {
            return (await Engine.CheckAsync(new CheckRequest(Object(type, id), permission, subject), cancellationToken)).Allowed;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogEngineFailure(logger, exception, type, permission);
            return false;
        }
    }

    /// <summary>The objects of <paramref name="type"/> on which <paramref name="subject"/> itself holds the permission (see <see cref="SubjectHoldsAsync"/>).</summary>
    public async Task<IReadOnlyList<Guid>> SubjectObjectsAsync(string subject, string type, string permission, CancellationToken cancellationToken = default)
    {
        if (tenant.OrganizationId is null)
        {
            return [];
        }

        using var timing = Measure("list_objects");
        try
        {
            var result = await Engine.ListObjectsAsync(new ListObjectsRequest(type, permission, subject), cancellationToken);
            return [.. result.Objects.Select(o => Guid.Parse(o.AsSpan(type.Length + 1)))];
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogEngineFailure(logger, exception, type, permission);
            return [];
        }
    }

    /// <summary>
    /// Times one question to the engine into <see cref="KastellTelemetry.AuthorizationDuration"/>. Only the outermost
    /// question of the request counts (a token's list checks each object again; those checks are part of the list's
    /// time, not added to it twice).
    /// </summary>
    private Timing Measure(string operation) => new(this, operation, Interlocked.Increment(ref _questionsUnderway) == 1 ? Stopwatch.GetTimestamp() : 0);

    private int _questionsUnderway;

    private readonly struct Timing(Permissions owner, string operation, long started) : IDisposable
    {
        public void Dispose()
        {
            Interlocked.Decrement(ref owner._questionsUnderway);
            if (started != 0)
            {
                KastellTelemetry.AuthorizationDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                    new KeyValuePair<string, object?>("kastell.authorization.operation", operation));
            }
        }
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
