using System.Text.Json;
using Kastell.Authorization.Engine;
using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Testing;

/// <summary>
/// Runs one assertion of either format and records a readable failure. List results are compared as sets and, like
/// OpenFGA's own runner, every returned object or user is confirmed with a Check.
/// </summary>
internal sealed class AssertionRunner(AuthorizationEngine engine, IReadOnlyList<RelationshipTuple> extraContextualTuples, CancellationToken cancellationToken)
{
    public List<string> Failures { get; } = [];

    public int Assertions { get; private set; }

    public async Task CheckAsync(string @object, string relation, string user, IReadOnlyList<RelationshipTuple> contextualTuples, IReadOnlyDictionary<string, object?>? context, bool expected, int? errorCode)
    {
        Assertions++;
        var request = new CheckRequest(@object, relation, user) { ContextualTuples = Contextual(contextualTuples), Context = context, Explain = true };
        var label = $"check {@object}#{relation}@{user}{Describe(contextualTuples, context)}";
        try
        {
            var result = await engine.CheckAsync(request, cancellationToken).ConfigureAwait(false);
            if (errorCode is { } code)
            {
                Failures.Add($"{label}: expected error {code}, got {result.Allowed} ({result.Explanation})");
            }
            else if (result.Allowed != expected)
            {
                Failures.Add($"{label}: expected {expected}, got {result.Allowed} ({result.Explanation})");
            }
            else
            {
                await ExplainAsync(label, request with { Explain = false }, result.Allowed).ConfigureAwait(false);
            }
        }
        catch (AuthorizationException e)
        {
            if (errorCode != (int)e.Code)
            {
                Failures.Add($"{label}: expected {(errorCode is { } c ? $"error {c}" : expected.ToString())}, got error {(int)e.Code}: {e.Message}");
            }
        }
    }

    /// <summary>Explain agrees with Check: the same decision, and at least one proof for every allow (unless cut short).</summary>
    private async Task ExplainAsync(string label, CheckRequest request, bool allowed)
    {
        try
        {
            var explained = await engine.ExplainAsync(request, cancellationToken).ConfigureAwait(false);
            if (explained.Allowed != allowed || (allowed && explained.Proofs.Count == 0 && !explained.Truncated))
            {
                Failures.Add($"{label}: check says {allowed}, explain says {explained.Allowed} with {explained.Proofs.Count} proof(s)");
            }
        }
        catch (AuthorizationException e)
        {
            Failures.Add($"{label}: check says {allowed}, explain failed with {(int)e.Code}: {e.Message}");
        }
    }

    public async Task ListObjectsAsync(string type, string relation, string user, IReadOnlyList<RelationshipTuple> contextualTuples, IReadOnlyDictionary<string, object?>? context, IReadOnlyList<string> expected, int? errorCode)
    {
        Assertions++;
        var ctx = Contextual(contextualTuples);
        var label = $"list-objects {type}#{relation}@{user}{Describe(contextualTuples, context)}";
        ListObjectsResult result;
        try
        {
            result = await engine.ListObjectsAsync(new ListObjectsRequest(type, relation, user) { ContextualTuples = ctx, Context = context }, cancellationToken).ConfigureAwait(false);
        }
        catch (AuthorizationException e)
        {
            if (errorCode != (int)e.Code)
            {
                Failures.Add($"{label}: expected {(errorCode is { } c ? $"error {c}" : Show(expected))}, got error {(int)e.Code}: {e.Message}");
            }

            return;
        }

        if (errorCode is { } code)
        {
            Failures.Add($"{label}: expected error {code}, got {Show(result.Objects)}");
            return;
        }

        CompareSets(label, expected, result.Objects);
        foreach (var @object in result.Objects)
        {
            await ConfirmAsync(label, @object, relation, user, ctx, context).ConfigureAwait(false);
        }
    }

    public async Task ListUsersAsync(string @object, string relation, IReadOnlyList<UserTypeFilter> filters, IReadOnlyList<RelationshipTuple> contextualTuples, IReadOnlyDictionary<string, object?>? context, IReadOnlyList<string> expected, int? errorCode)
    {
        Assertions++;
        var ctx = Contextual(contextualTuples);
        var label = $"list-users {@object}#{relation} filter [{string.Join(", ", filters)}]{Describe(contextualTuples, context)}";
        ListUsersResult result;
        try
        {
            result = await engine.ListUsersAsync(new ListUsersRequest(@object, relation, filters) { ContextualTuples = ctx, Context = context }, cancellationToken).ConfigureAwait(false);
        }
        catch (AuthorizationException e)
        {
            if (errorCode != (int)e.Code)
            {
                Failures.Add($"{label}: expected {(errorCode is { } c ? $"error {c}" : Show(expected))}, got error {(int)e.Code}: {e.Message}");
            }

            return;
        }

        if (errorCode is { } code)
        {
            Failures.Add($"{label}: expected error {code}, got {Show(result.Users)}");
            return;
        }

        CompareSets(label, expected, result.Users);
        foreach (var user in result.Users)
        {
            await ConfirmAsync(label, @object, relation, user, ctx, context).ConfigureAwait(false);
        }
    }

    private async Task ConfirmAsync(string label, string @object, string relation, string user, IReadOnlyList<RelationshipTuple> ctx, IReadOnlyDictionary<string, object?>? context)
    {
        try
        {
            var check = await engine.CheckAsync(new CheckRequest(@object, relation, user) { ContextualTuples = ctx, Context = context }, cancellationToken).ConfigureAwait(false);
            if (!check.Allowed)
            {
                Failures.Add($"{label}: returned {user} -> {@object}, but check {@object}#{relation}@{user} is false");
            }
        }
        catch (AuthorizationException e)
        {
            Failures.Add($"{label}: returned {user} -> {@object}, but check {@object}#{relation}@{user} failed with {(int)e.Code}: {e.Message}");
        }
    }

    private void CompareSets(string label, IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        var missing = expected.Except(actual, StringComparer.Ordinal).ToList();
        var unexpected = actual.Except(expected, StringComparer.Ordinal).ToList();
        if (missing.Count > 0 || unexpected.Count > 0 || actual.Count != actual.Distinct(StringComparer.Ordinal).Count())
        {
            Failures.Add($"{label}: expected {Show(expected)}, got {Show(actual)} (missing {Show(missing)}, unexpected {Show(unexpected)})");
        }
    }

    private IReadOnlyList<RelationshipTuple> Contextual(IReadOnlyList<RelationshipTuple> own) =>
        extraContextualTuples.Count == 0 ? own : [.. own, .. extraContextualTuples];

    private static string Describe(IReadOnlyList<RelationshipTuple> contextualTuples, IReadOnlyDictionary<string, object?>? context) =>
        (contextualTuples.Count == 0 ? "" : $" contextual [{string.Join(", ", contextualTuples)}]")
        + (context is null ? "" : $" context {JsonSerializer.Serialize(context, ContextJson)}");

    private static readonly JsonSerializerOptions ContextJson = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private static string Show(IEnumerable<string> values) => $"[{string.Join(", ", values.Order(StringComparer.Ordinal))}]";
}
