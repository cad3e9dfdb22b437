using Kastell.Server.Features.Assets.ManageAssets;
using Kastell.Server.Features.Teams;
using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Features.Assets.Import;

/// <summary>What is wrong with one row (or the header, row 1): the column if one is to blame, a text key and the value concerned.</summary>
public sealed record ImportProblem(int Row, string? Column, string TextKey, string? Value = null);

/// <summary>An asset the import will create, with the id it will have and the assets it depends on.</summary>
internal sealed record PlannedAsset(int Row, Guid Id, ValidAsset Asset, IReadOnlyList<Guid> DependsOn, string? OwnerName);

/// <summary>Everything an import creates; nothing of it exists yet.</summary>
internal sealed record ImportPlan(IReadOnlyList<PlannedAsset> Assets)
{
    public int Dependencies => Assets.Sum(a => a.DependsOn.Count);
}

/// <summary>What a plan is checked against: the Space's assets and dependencies, the organization's people and teams.</summary>
internal sealed record ImportDirectory(
    IReadOnlyList<(Guid Id, string Name)> Assets,
    IReadOnlyList<(Guid Dependent, Guid Dependency)> Edges,
    IReadOnlyList<PersonOption> People,
    IReadOnlyList<(Guid Id, string Name)> Teams);

/// <summary>
/// Turns a sheet into a plan, or into every problem it has, row by row: all or nothing, so a file with one bad row
/// creates nothing and the user sees every row to fix at once, not only the first. Names identify assets within the
/// file and the Space (compared without case): a name the Space already has is refused rather than duplicated, so
/// importing the same file twice cannot double the inventory. A dependency may name an asset of the file or one the
/// Space has; one that would close a cycle — with the Space's dependencies or the file's own — is refused at its row.
/// </summary>
internal static class ImportPlanner
{
    /// <summary>The most problems reported; a file with more is usually the wrong file.</summary>
    public const int MaxProblems = 200;

    private const int MaxValueShown = 80;

    private static readonly char[] DependencySeparators = [';', '\n', '\r'];

    public static (ImportPlan? Plan, IReadOnlyList<ImportProblem> Problems) Plan(Sheet sheet, ImportColumns columns, ImportDirectory directory)
    {
        var problems = new List<ImportProblem>();
        var map = Header(sheet.Header, problems);
        if (problems.Count > 0)
        {
            return (null, problems);
        }

        string Cell(SheetRow row, ImportColumn column) => map.TryGetValue(column, out var index) ? row.Cell(index) : "";

        var existing = directory.Assets.ToLookup(a => a.Name, a => a.Id, StringComparer.OrdinalIgnoreCase);
        var inFile = new Dictionary<string, Guid>(StringComparer.OrdinalIgnoreCase);
        var planned = new List<(SheetRow Row, Guid Id, ValidAsset Asset, string? OwnerName)>();
        var owners = new Owners(directory);
        foreach (var row in sheet.Rows)
        {
            if (Row(row, Cell, columns, owners) is not { } valid)
            {
                continue;
            }

            if (valid.Problem is { } problem)
            {
                problems.Add(problem);
                continue;
            }

            var asset = valid.Asset!;
            if (existing.Contains(asset.Name))
            {
                problems.Add(new(row.Number, Header(ImportColumn.Name), "AssetsImportNameExists", Shown(asset.Name)));
            }
            else if (!inFile.TryAdd(asset.Name, Guid.CreateVersion7()))
            {
                problems.Add(new(row.Number, Header(ImportColumn.Name), "AssetsImportNameTwice", Shown(asset.Name)));
            }
            else
            {
                planned.Add((row, inFile[asset.Name], asset, valid.OwnerName));
            }
        }

        if (planned.Count == 0 && problems.Count == 0)
        {
            return (null, [new ImportProblem(2, null, "AssetsImportNoRows")]);
        }

        var graph = new Graph(directory.Edges);
        var result = new List<PlannedAsset>();
        foreach (var (row, id, asset, ownerName) in planned)
        {
            var dependsOn = new List<Guid>();
            foreach (var name in Cell(row, ImportColumn.DependsOn).Split(DependencySeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                Guid? target = inFile.TryGetValue(name, out var fileId) ? fileId
                    : existing[name].Take(2).ToList() is [var only] ? only
                    : null;
                if (target is not { } dependency)
                {
                    problems.Add(new(row.Number, Header(ImportColumn.DependsOn), existing.Contains(name) ? "AssetsImportDependencyAmbiguous" : "AssetsImportDependencyUnknown", Shown(name)));
                }
                else if (!graph.TryAdd(id, dependency))
                {
                    problems.Add(new(row.Number, Header(ImportColumn.DependsOn), "AssetsImportDependencyCycle", Shown(name)));
                }
                else
                {
                    dependsOn.Add(dependency);
                }
            }

            result.Add(new PlannedAsset(row.Number, id, asset, dependsOn, ownerName));
        }

        return problems.Count > 0 ? (null, [.. problems.OrderBy(p => p.Row).Take(MaxProblems)]) : (new ImportPlan(result), []);
    }

    public static string Header(ImportColumn column) => ImportColumns.Header(column);

    /// <summary>The column of each known header; unknown, repeated and missing columns are problems of row 1.</summary>
    private static Dictionary<ImportColumn, int> Header(IReadOnlyList<string> header, List<ImportProblem> problems)
    {
        var map = new Dictionary<ImportColumn, int>();
        for (var index = 0; index < header.Count; index++)
        {
            if (header[index].Length == 0)
            {
                continue;
            }

            if (ImportColumns.Named(header[index]) is not { } column)
            {
                problems.Add(new(1, Shown(header[index]), "AssetsImportUnknownColumn"));
            }
            else if (!map.TryAdd(column, index))
            {
                problems.Add(new(1, Shown(header[index]), "AssetsImportColumnTwice"));
            }
        }

        problems.AddRange(ImportColumns.Required.Where(c => !map.ContainsKey(c)).Select(c => new ImportProblem(1, Header(c), "AssetsImportColumnMissing")));
        return map;
    }

    private sealed record RowOutcome(ValidAsset? Asset, string? OwnerName, ImportProblem? Problem);

    /// <summary>The row's asset, or its first problem; null for a row with nothing in it.</summary>
    private static RowOutcome? Row(SheetRow row, Func<SheetRow, ImportColumn, string> cell, ImportColumns columns, Owners owners)
    {
        string Value(ImportColumn column) => cell(row, column);
        RowOutcome Refuse(ImportColumn? column, string textKey, string? value = null) => new(null, null, new(row.Number, column is { } c ? Header(c) : null, textKey, value is null ? null : Shown(value)));

        if (ImportColumns.All.All(c => Value(c.Column).Length == 0))
        {
            return null;
        }

        if (columns.Kind(Value(ImportColumn.Kind)) is not { } kind)
        {
            return Refuse(ImportColumn.Kind, AssetsErrors.KindInvalid.TextKey, Value(ImportColumn.Kind));
        }

        var levels = new Dictionary<ImportColumn, string>();
        foreach (var goal in new[] { ImportColumn.Confidentiality, ImportColumn.Integrity, ImportColumn.Availability })
        {
            if (columns.Level(Value(goal)) is not { } level)
            {
                return Refuse(goal, AssetsErrors.LevelInvalid.TextKey, Value(goal));
            }

            levels[goal] = level;
        }

        string? owner = null;
        string? ownerName = null;
        if (Value(ImportColumn.Owner) is { Length: > 0 } ownerCell)
        {
            switch (owners.Find(ownerCell))
            {
                case (null, var textKey):
                    return Refuse(ImportColumn.Owner, textKey!, ownerCell);
                case ({ } subject, _):
                    (owner, ownerName) = (subject.TupleUser, ownerCell);
                    break;
            }
        }

        var input = new AssetInput(
            Value(ImportColumn.Name), kind, Value(ImportColumn.Description), owner,
            new NeedInput(levels[ImportColumn.Confidentiality], Value(ImportColumn.ConfidentialityJustification)),
            new NeedInput(levels[ImportColumn.Integrity], Value(ImportColumn.IntegrityJustification)),
            new NeedInput(levels[ImportColumn.Availability], Value(ImportColumn.AvailabilityJustification)));
        var validated = AssetInputs.Validate(input);
        if (validated.Value is not { } valid)
        {
            var failure = validated.Failure!;
            return Refuse(failure == AssetsErrors.AssetInvalid ? ImportColumn.Name : null, failure.TextKey);
        }

        return new(valid, ownerName, null);
    }

    private static string Shown(string value) => value.Length > MaxValueShown ? value[..MaxValueShown] + "…" : value;

    /// <summary>An owner cell: the e-mail address of a member, or a team's name.</summary>
    private sealed class Owners(ImportDirectory directory)
    {
        private readonly ILookup<string, Guid> _people = directory.People.ToLookup(p => p.Email, p => p.UserId, StringComparer.OrdinalIgnoreCase);
        private readonly ILookup<string, Guid> _teams = directory.Teams.ToLookup(t => t.Name, t => t.Id, StringComparer.OrdinalIgnoreCase);

        public (Subject? Subject, string? TextKey) Find(string cell)
        {
            var matches = cell.Contains('@', StringComparison.Ordinal)
                ? _people[cell].Take(2).Select(Subject.Person).ToList()
                : _teams[cell].Take(2).Select(Subject.Team).ToList();
            return matches switch
            {
                [var only] => (only, null),
                [] => (null, "AssetsImportOwnerUnknown"),
                _ => (null, "AssetsImportOwnerAmbiguous"),
            };
        }
    }

    /// <summary>The Space's dependencies and the file's, grown edge by edge; an edge that would close a cycle is not added.</summary>
    private sealed class Graph
    {
        private readonly Dictionary<Guid, List<Guid>> _dependencies = [];

        public Graph(IEnumerable<(Guid Dependent, Guid Dependency)> edges)
        {
            foreach (var (dependent, dependency) in edges)
            {
                Add(dependent, dependency);
            }
        }

        public bool TryAdd(Guid dependent, Guid dependency)
        {
            if (Reaches(dependency, dependent))
            {
                return false;
            }

            Add(dependent, dependency);
            return true;
        }

        private void Add(Guid dependent, Guid dependency)
        {
            if (!_dependencies.TryGetValue(dependent, out var list))
            {
                _dependencies[dependent] = list = [];
            }

            list.Add(dependency);
        }

        private bool Reaches(Guid from, Guid to)
        {
            var seen = new HashSet<Guid> { from };
            var queue = new Queue<Guid>([from]);
            while (queue.TryDequeue(out var id))
            {
                if (id == to)
                {
                    return true;
                }

                foreach (var next in _dependencies.GetValueOrDefault(id) ?? [])
                {
                    if (seen.Add(next))
                    {
                        queue.Enqueue(next);
                    }
                }
            }

            return false;
        }
    }
}
