using Kastell.Authorization.Conditions;
using Kastell.Authorization.Engine;
using Kastell.Authorization.Language;
using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Tests.Engine;

/// <summary>Builds an engine over a fresh in-memory store from DSL and "object#relation@user" tuples.</summary>
internal static class EngineFixture
{
    public static async Task<AuthorizationEngine> CreateAsync(string dsl, IEnumerable<string> tuples, AuthorizationEngineOptions? options = null)
    {
        var engine = new AuthorizationEngine(ModelParser.Parse(dsl), new InMemoryTupleStore(), new CelConditionEvaluator(), options);
        var parsed = tuples.Select(Tuple).ToList();
        if (parsed.Count > 0)
        {
            await engine.WriteAsync(parsed);
        }

        return engine;
    }

    /// <summary>Parses <c>document:1#viewer@user:anne</c>; the user part may itself contain '#'.</summary>
    public static RelationshipTuple Tuple(string text)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var objectRelation = text[..at];
        var hash = objectRelation.IndexOf('#', StringComparison.Ordinal);
        return new RelationshipTuple(objectRelation[..hash], objectRelation[(hash + 1)..], text[(at + 1)..]);
    }

    public static async Task<bool> CheckAsync(this AuthorizationEngine engine, string @object, string relation, string user) =>
        (await engine.CheckAsync(new CheckRequest(@object, relation, user), TestContext.Current.CancellationToken)).Allowed;
}
