using Kastell.Authorization.Model;

namespace Kastell.Authorization.Language;

/// <summary>One file of a modular model: its path relative to the <c>fga.mod</c> folder and its DSL text.</summary>
public sealed record ModuleFile(string Name, string Content);

/// <summary>
/// Combines modular DSL files (<c>module x</c>, <c>extend type y</c>) into one schema 1.2 model, recording in each
/// type, relation and condition which module and file it came from.
/// </summary>
public static class ModularModel
{
    public static ModelParseResult Combine(IReadOnlyList<ModuleFile> files)
    {
        var errors = new List<ModelError>();
        var types = new List<(TypeDefinition Type, List<RelationDefinition> Relations)>();
        var conditions = new Dictionary<string, ConditionDefinition>();
        var extensions = new List<(ModuleFile File, string Module, DslType Type)>();
        foreach (var file in files)
        {
            var (document, syntaxErrors) = DslParser.Parse(file.Content);
            errors.AddRange(syntaxErrors.Select(e => e with { File = file.Name }));
            if (document is null)
            {
                continue;
            }

            if (document.ModuleName is not { } module)
            {
                errors.Add(new ModelError("file is not a module", 0, 0, 0, 0, null, null) { File = file.Name });
                continue;
            }

            var source = new SourceInfo(module, file.Name);
            var built = DslModelBuilder.Build(document, file.Name);
            foreach (var (dslType, type) in document.Types.Zip(built.TypeDefinitions))
            {
                if (dslType.IsExtension)
                {
                    extensions.Add((file, module, dslType));
                }
                else
                {
                    types.Add((type with { Source = source }, [.. type.Relations]));
                }
            }

            foreach (var dslCondition in document.Conditions)
            {
                if (conditions.ContainsKey(dslCondition.Name))
                {
                    errors.Add(SpanError($"duplicate condition {dslCondition.Name}", dslCondition.NameSpan, file));
                    continue;
                }

                conditions[dslCondition.Name] = built.Conditions[dslCondition.Name];
            }
        }

        foreach (var (file, module, extension) in extensions)
        {
            var target = types.FirstOrDefault(t => t.Type.Name == extension.Name);
            if (target.Type is null)
            {
                errors.Add(SpanError($"extended type {extension.Name} does not exist", extension.NameSpan, file));
                continue;
            }

            var source = new SourceInfo(module, file.Name);
            var added = DslModelBuilder.Build(Wrap(extension), file.Name).TypeDefinitions[0].Relations;
            foreach (var (dslRelation, relation) in extension.Relations.Zip(added))
            {
                if (target.Relations.Any(r => r.Name == relation.Name))
                {
                    errors.Add(SpanError($"relation {relation.Name} already exists on type {extension.Name}", dslRelation.NameSpan, file));
                    continue;
                }

                target.Relations.Add(relation with { Source = source });
            }
        }

        var model = new AuthorizationModel(
            "1.2",
            [.. types.Select(t => t.Type with { Relations = t.Relations })],
            conditions);
        errors.AddRange(ValidateAcrossFiles(model, files));
        return errors.Count == 0 ? new ModelParseResult(model, []) : new ModelParseResult(null, errors);
    }

    /// <summary>The distinct modules a combined model was built from, sorted.</summary>
    public static IReadOnlyList<string> ModuleNames(AuthorizationModel model) =>
        model.TypeDefinitions.Select(t => t.Source)
            .Concat(model.TypeDefinitions.SelectMany(t => t.Relations).Select(r => r.Source))
            .Concat(model.Conditions.Values.Select(c => c.Source))
            .Select(s => s?.Module)
            .OfType<string>()
            .Where(m => m.Length > 0)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

    private static ModelError SpanError(string message, SourceSpan span, ModuleFile file) =>
        new(message, span.Line, span.Line, span.Column, span.EndColumn, null, null) { File = file.Name };

    /// <summary>
    /// OpenFGA positions semantic errors by searching the source text; validating against all files joined together
    /// and mapping each line back to its file gives the same positions per file.
    /// </summary>
    private static IEnumerable<ModelError> ValidateAcrossFiles(AuthorizationModel model, IReadOnlyList<ModuleFile> files)
    {
        var starts = new List<(int Start, ModuleFile File)>();
        var line = 0;
        foreach (var file in files)
        {
            starts.Add((line, file));
            line += file.Content.Split('\n').Length;
        }

        var joined = string.Join('\n', files.Select(f => f.Content));
        foreach (var error in DslValidator.Validate(model, joined))
        {
            var (start, file) = starts.LastOrDefault(s => s.Start <= error.LineStart);
            yield return file is null
                ? error
                : error with { LineStart = error.LineStart - start, LineEnd = error.LineEnd - start, File = file.Name };
        }
    }

    /// <summary>Wraps a single extension block so it can go through the ordinary model builder.</summary>
    private static DslDocument Wrap(DslType extension)
    {
        var document = new DslDocument { SchemaVersion = "1.2" };
        document.Types.Add(extension);
        return document;
    }
}
