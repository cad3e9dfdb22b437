using Kastell.Authorization.Conditions;
using Kastell.Authorization.Engine;
using Kastell.Authorization.Language;
using Kastell.Authorization.Model;
using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Testing;

/// <summary>Builds engines the way the runners need them: parsed DSL, CEL conditions, a fresh in-memory store.</summary>
internal static class TestEngines
{
    public static AuthorizationEngine Create(AuthorizationModel model, ITupleStore store, AuthorizationEngineOptions? options = null) =>
        new(model, store, new CelConditionEvaluator(), options);

    public static AuthorizationModel Parse(string dsl) => ModelParser.Parse(dsl);

    /// <summary>A <c>.fga</c> file, or an <c>fga.mod</c> manifest whose module files are combined into one model.</summary>
    public static AuthorizationModel ParseFile(string path) => Path.GetExtension(path) == ".mod"
        ? ParseModular(path)
        : ModelParser.Parse(File.ReadAllText(path));

    private static AuthorizationModel ParseModular(string manifestPath)
    {
        var (manifest, manifestErrors) = FgaModFile.Parse(File.ReadAllText(manifestPath));
        if (manifest is null)
        {
            throw new ModelValidationException(manifestErrors);
        }

        var directory = Path.GetDirectoryName(manifestPath) ?? ".";
        var files = manifest.Contents.Value
            .Select(f => new ModuleFile(f.Value, File.ReadAllText(Path.Combine(directory, f.Value))))
            .ToList();
        var combined = ModularModel.Combine(files);
        return combined.IsValid ? combined.Model! : throw new ModelValidationException(combined.Errors);
    }
}
