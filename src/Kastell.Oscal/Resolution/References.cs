using System.Buffers;
using Kastell.Oscal.Model;

namespace Kastell.Oscal.Resolution;

/// <summary>
/// Finds what a resolved catalog refers to, for pruning: back-matter resources are referred to as <c>#uuid</c> in any
/// text or link, loose parameters by <c>{{ insert: param, id }}</c> in any text.
/// </summary>
internal sealed class References
{
    private static readonly SearchValues<char> FragmentChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:");

    public HashSet<string> Fragments { get; } = new(StringComparer.Ordinal);

    public HashSet<string> InsertedParams { get; } = new(StringComparer.Ordinal);

    public static References Of(Catalog catalog)
    {
        var references = new References();
        references.Visit(catalog.Metadata);
        foreach (var p in catalog.Params)
        {
            references.Visit(p);
        }

        foreach (var c in catalog.Controls)
        {
            references.Visit(c);
        }

        foreach (var g in catalog.Groups)
        {
            references.Visit(g);
        }

        return references;
    }

    private void Visit(Metadata metadata)
    {
        Text(metadata.Title);
        Text(metadata.Remarks);
        Visit(metadata.Props);
        Visit(metadata.Links);
    }

    private void Visit(Group group)
    {
        Text(group.Title);
        foreach (var p in group.Params)
        {
            Visit(p);
        }

        Visit(group.Props);
        Visit(group.Links);
        Visit(group.Parts);
        foreach (var g in group.Groups)
        {
            Visit(g);
        }

        foreach (var c in group.Controls)
        {
            Visit(c);
        }
    }

    private void Visit(Control control)
    {
        foreach (var c in control.SelfAndDescendants())
        {
            Text(c.Title);
            foreach (var p in c.Params)
            {
                Visit(p);
            }

            Visit(c.Props);
            Visit(c.Links);
            Visit(c.Parts);
        }
    }

    private void Visit(Parameter parameter)
    {
        Text(parameter.Label);
        Text(parameter.Usage);
        Text(parameter.Remarks);
        Visit(parameter.Props);
        Visit(parameter.Links);
        foreach (var g in parameter.Guidelines)
        {
            Text(g.Prose);
        }

        foreach (var c in parameter.Constraints)
        {
            Text(c.Description);
        }

        foreach (var v in parameter.Values)
        {
            Text(v);
        }

        if (parameter.Select is { } select)
        {
            foreach (var choice in select.Choice)
            {
                Text(choice);
            }
        }
    }

    private void Visit(IReadOnlyList<Part> parts)
    {
        foreach (var part in parts)
        {
            Text(part.Title);
            Text(part.Prose);
            Visit(part.Props);
            Visit(part.Links);
            Visit(part.Parts);
        }
    }

    private void Visit(IReadOnlyList<Property> props)
    {
        foreach (var p in props)
        {
            Text(p.Remarks);
        }
    }

    private void Visit(IReadOnlyList<Link> links)
    {
        foreach (var link in links)
        {
            Text(link.Href);
            Text(link.Text);
        }
    }

    private void Text(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        var span = text.AsSpan();
        for (var i = span.IndexOf('#'); i >= 0; i = NextIndex(span, i, '#'))
        {
            var rest = span[(i + 1)..];
            var end = rest.IndexOfAnyExcept(FragmentChars);
            var fragment = end < 0 ? rest : rest[..end];
            if (!fragment.IsEmpty)
            {
                Fragments.Add(fragment.ToString());
            }
        }

        const string Insert = "insert:";
        for (var i = span.IndexOf(Insert, StringComparison.Ordinal); i >= 0; i = NextIndex(span, i, Insert))
        {
            // {{ insert: param, id }} with any spacing.
            var rest = span[(i + Insert.Length)..].TrimStart();
            if (!rest.StartsWith("param", StringComparison.Ordinal))
            {
                continue;
            }

            rest = rest["param".Length..].TrimStart();
            if (rest.IsEmpty || rest[0] != ',')
            {
                continue;
            }

            rest = rest[1..].TrimStart();
            var end = rest.IndexOfAny(' ', '}');
            var id = end < 0 ? rest : rest[..end];
            if (!id.IsEmpty)
            {
                InsertedParams.Add(id.ToString());
            }
        }
    }

    private static int NextIndex(ReadOnlySpan<char> span, int from, char value)
    {
        var next = span[(from + 1)..].IndexOf(value);
        return next < 0 ? -1 : from + 1 + next;
    }

    private static int NextIndex(ReadOnlySpan<char> span, int from, string value)
    {
        var next = span[(from + 1)..].IndexOf(value, StringComparison.Ordinal);
        return next < 0 ? -1 : from + 1 + next;
    }
}
