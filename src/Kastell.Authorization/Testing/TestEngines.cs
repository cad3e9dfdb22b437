using Kastell.Authorization.Conditions;
using Kastell.Authorization.Engine;
using Kastell.Authorization.Language;
using Kastell.Authorization.Model;
using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Testing;

/// <summary>Builds engines the way the runners need them: parsed DSL, CEL conditions, a fresh in-memory store.</summary>
internal static class TestEngines
{
    public static AuthorizationEngine Create(AuthorizationModel model, ITupleStore store) => new(model, store, new CelConditionEvaluator());

    public static AuthorizationModel Parse(string dsl) => ModelParser.Parse(dsl);

    /// <summary>A <c>.fga</c> file; modular models (<c>fga.mod</c>) need the language library's module support.</summary>
    public static AuthorizationModel ParseFile(string path) => Path.GetExtension(path) == ".mod"
        ? throw new NotSupportedException($"modular models (fga.mod) are not supported yet: {path}")
        : ModelParser.Parse(File.ReadAllText(path));
}
