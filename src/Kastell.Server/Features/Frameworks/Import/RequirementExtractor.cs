using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Kastell.Oscal.Model;

namespace Kastell.Server.Features.Frameworks.Import;

/// <summary>A requirement as read from a catalog, before it is stored.</summary>
internal sealed record ExtractedRequirement(
    int Position, string ControlId, string Title, string Statement, string Parameters, string? ParentControlId, string? GroupId, string GroupPath)
{
    public string ContentHash { get; } = Hash(Title, Statement, Parameters);

    private static string Hash(string title, string statement, string parameters) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{title}\u0000{statement}\u0000{parameters}")));
}

/// <summary>
/// Turns a (resolved) catalog into the rows Kastell stores: every control in document order with its statement
/// flattened to text, its parameters and its place in the groups. A catalog Kastell cannot store faithfully (an id or
/// title beyond the column, the same id twice) is refused with the control named, never cut short.
/// </summary>
internal static class RequirementExtractor
{
    private const string PathSeparator = " › ";

    public static (IReadOnlyList<ExtractedRequirement> Requirements, string? Problem) Extract(Catalog catalog)
    {
        var rows = new List<ExtractedRequirement>();
        foreach (var control in catalog.Controls)
        {
            AddControl(rows, control, null, null, "");
        }

        foreach (var group in catalog.Groups)
        {
            AddGroup(rows, group, "");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row.ControlId.Length > Requirement.MaxControlIdLength)
            {
                return ([], $"control \"{row.ControlId[..40]}…\": the id is longer than {Requirement.MaxControlIdLength} characters");
            }

            if (row.Title.Length > Requirement.MaxTitleLength)
            {
                return ([], $"control \"{row.ControlId}\": the title is longer than {Requirement.MaxTitleLength} characters");
            }

            if (!seen.Add(row.ControlId))
            {
                return ([], $"control \"{row.ControlId}\" appears more than once");
            }
        }

        return rows.Count == 0 ? ([], "the document has no controls") : (rows, null);
    }

    private static void AddGroup(List<ExtractedRequirement> rows, Group group, string parentPath)
    {
        var path = parentPath.Length == 0 ? group.Title : parentPath + PathSeparator + group.Title;
        foreach (var control in group.Controls)
        {
            AddControl(rows, control, null, group.Id ?? Truncate(group.Title), path);
        }

        foreach (var nested in group.Groups)
        {
            AddGroup(rows, nested, path);
        }
    }

    private static void AddControl(List<ExtractedRequirement> rows, Control root, string? parent, string? groupId, string groupPath)
    {
        // An explicit stack, like Control.SelfAndDescendants: enhancements keep their parent's id.
        var stack = new Stack<(Control Control, string? Parent)>();
        stack.Push((root, parent));
        while (stack.Count > 0)
        {
            var (control, parentId) = stack.Pop();
            rows.Add(new ExtractedRequirement(rows.Count, control.Id, control.Title.Trim(), Statement(control), Parameters(control), parentId, groupId, Truncate(groupPath, 2000)));
            for (var i = control.Controls.Count - 1; i >= 0; i--)
            {
                stack.Push((control.Controls[i], control.Id));
            }
        }
    }

    /// <summary>The statement part (its prose, then its items with their labels, indented per level).</summary>
    private static string Statement(Control control)
    {
        var text = new StringBuilder();
        foreach (var part in control.Parts.Where(p => p.Name == "statement"))
        {
            AppendPart(text, part, 0);
        }

        return text.ToString().TrimEnd();
    }

    private static void AppendPart(StringBuilder text, Part part, int depth)
    {
        var label = part.Props.FirstOrDefault(p => p.Name == "label")?.Value;
        if (part.Prose is { Length: > 0 } prose)
        {
            text.Append(' ', depth * 2);
            if (label is not null)
            {
                text.Append(label).Append(' ');
            }

            text.Append(prose.Trim()).Append('\n');
        }

        foreach (var child in part.Parts)
        {
            AppendPart(text, child, part.Prose is null && depth == 0 ? 0 : depth + 1);
        }
    }

    private static string Parameters(Control control) =>
        JsonSerializer.Serialize(control.Params.Select(p => new RequirementParameter(p.Id, p.Label, p.Values, p.Select?.Choice ?? [])).ToList());

    private static string Truncate(string value, int length = Requirement.MaxControlIdLength) => value.Length <= length ? value : value[..(length - 1)] + "…";
}
