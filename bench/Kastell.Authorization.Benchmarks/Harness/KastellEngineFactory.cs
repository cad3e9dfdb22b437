using Kastell.Authorization.Benchmarks.Graph;
using Kastell.Authorization.Engine;
using Kastell.Authorization.Language;
using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Benchmarks.Harness;

/// <summary>Parses bench/kastell.fga and writes a graph through the engine (so every tuple is validated against the model).</summary>
internal static class KastellEngineFactory
{
    private const int WriteBatchSize = 10_000;

    /// <summary>ListObjects must return all ~10 k visible objects, not OpenFGA's default first 1,000.</summary>
    private static readonly AuthorizationEngineOptions Options = new()
    {
        ListObjectsMaxResults = int.MaxValue,
        ListTimeout = TimeSpan.FromMinutes(1),
    };

    public static AuthorizationEngine Create(ITupleStore store, KastellGraph graph)
    {
        var model = ModelParser.Parse(File.ReadAllText(ModelFiles.OpenFga));
        var engine = new AuthorizationEngine(model, store, options: Options);
        for (var start = 0; start < graph.Tuples.Count; start += WriteBatchSize)
        {
            var batch = graph.Tuples.Skip(start).Take(WriteBatchSize).ToList();
            engine.WriteAsync(batch).AsTask().GetAwaiter().GetResult();
        }

        return engine;
    }
}

internal static class ModelFiles
{
    public static string OpenFga => Path.Combine(AppContext.BaseDirectory, "kastell.fga");

    public static string SpiceDb => Path.Combine(AppContext.BaseDirectory, "kastell.zed");
}
