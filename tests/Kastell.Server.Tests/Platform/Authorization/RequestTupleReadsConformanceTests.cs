using System.Text.RegularExpressions;
using Kastell.Authorization.Storage;
using Kastell.Authorization.Testing;
using Kastell.Server.Platform.Authorization;

namespace Kastell.Server.Tests.Platform.Authorization;

/// <summary>
/// OpenFGA's conformance suites decided through the request's reads (<see cref="RequestTupleReads"/>) over a store that
/// reads whole objects, so every answer the engine builds from object reads — a user's tuples, usersets, tuplesets —
/// is the one OpenFGA expects. Every relation of every type is treated as a link here (the server's model links only
/// its tuplesets), so each object is read whole and every kind of read is answered from those reads.
/// </summary>
public sealed partial class RequestTupleReadsConformanceTests
{
    [Theory]
    [InlineData("consolidated_1_1_tests.yaml", 252)]
    [InlineData("abac_tests.yaml", 44)]
    public async Task TheSuite_PassesThroughObjectReads(string file, int cases)
    {
        var path = ConformanceFile(file);
        var text = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
        string[] relations = [.. Relations().Matches(text).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal)];
        var links = Types().Matches(text).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToDictionary(t => t, _ => relations, StringComparer.Ordinal);
        var batches = 0;
        var tests = AuthorizationTestRunner.Load(path, () => new RequestTupleReads(new WholeObjectStore(relations, () => Interlocked.Increment(ref batches)), links));

        var failures = new List<string>();
        foreach (var test in tests)
        {
            var result = await test.RunAsync(TestContext.Current.CancellationToken);
            failures.AddRange(result.Failures.Select(f => $"{test.Name}: {f}"));
        }

        Assert.Equal(cases, tests.Count);
        Assert.True(batches > tests.Count, $"{batches} object reads in {tests.Count} tests: the object reads were not used");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(20)));
    }

    private static string ConformanceFile(string name)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "tests", "data", "openfga", "conformance", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"tests/data/openfga/conformance/{name} is missing; it belongs in the repository");
    }

    [GeneratedRegex(@"define\s+([A-Za-z0-9_\-]+)\s*:")]
    private static partial Regex Relations();

    [GeneratedRegex(@"(?m)^\s*type\s+([A-Za-z0-9_\-]+)\s*$")]
    private static partial Regex Types();

    /// <summary>An in-memory store that also reads whole objects, counting those reads.</summary>
    private sealed class WholeObjectStore(string[] relations, Action counted) : ITupleStore, ITupleBatchReader
    {
        private readonly InMemoryTupleStore _inner = new();

        public ValueTask<RelationshipTuple?> ReadTupleAsync(string @object, string relation, string user, CancellationToken cancellationToken = default) =>
            _inner.ReadTupleAsync(@object, relation, user, cancellationToken);

        public ValueTask<IReadOnlyList<RelationshipTuple>> ReadAsync(string @object, string relation, CancellationToken cancellationToken = default) =>
            _inner.ReadAsync(@object, relation, cancellationToken);

        public ValueTask<IReadOnlyList<RelationshipTuple>> ReadUsersetTuplesAsync(string @object, string relation, CancellationToken cancellationToken = default) =>
            _inner.ReadUsersetTuplesAsync(@object, relation, cancellationToken);

        public ValueTask<IReadOnlyList<RelationshipTuple>> ReadByUserAsync(string user, string relation, string objectType, CancellationToken cancellationToken = default) =>
            _inner.ReadByUserAsync(user, relation, objectType, cancellationToken);

        public ValueTask WriteAsync(IReadOnlyCollection<RelationshipTuple> writes, IReadOnlyCollection<TupleKey> deletes, CancellationToken cancellationToken = default) =>
            _inner.WriteAsync(writes, deletes, cancellationToken);

        public ValueTask<IReadOnlyList<RelationshipTuple>> ReadObjectsAsync(
            IReadOnlyCollection<string> objects, IReadOnlyCollection<string> users, IReadOnlyCollection<string>? links, CancellationToken cancellationToken = default)
        {
            counted();
            return ObjectReads.AnswerAsync(_inner, relations, objects, users, links, cancellationToken);
        }
    }
}
