using System.Text.RegularExpressions;
using Kastell.Authorization.Model;

namespace Kastell.Authorization.Tests.Conditions;

/// <summary>
/// Pulls <c>condition name(p: type, ...) { expression }</c> blocks out of OpenFGA DSL text. Only what the condition
/// tests need; the real DSL parser lives elsewhere.
/// </summary>
internal static partial class DslConditionExtractor
{
    [GeneratedRegex(@"^[ \t]*condition\s+(\w+)\s*\(([^)]*)\)\s*\{", RegexOptions.Multiline)]
    private static partial Regex Header();

    public static IReadOnlyList<ConditionDefinition> Extract(string dsl)
    {
        var result = new List<ConditionDefinition>();
        foreach (Match m in Header().Matches(dsl))
        {
            var bodyStart = m.Index + m.Length;
            var bodyEnd = FindClosingBrace(dsl, bodyStart);
            result.Add(new ConditionDefinition(m.Groups[1].Value, dsl[bodyStart..bodyEnd].Trim(), ParseParameters(m.Groups[2].Value)));
        }

        return result;
    }

    /// <summary>Parses <c>x: int, tags: map&lt;string&gt;</c>.</summary>
    public static IReadOnlyDictionary<string, ConditionParameterType> ParseParameters(string text)
    {
        var parameters = new Dictionary<string, ConditionParameterType>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = part.IndexOf(':');
            parameters[part[..colon].Trim()] = ParseType(part[(colon + 1)..].Trim());
        }

        return parameters;
    }

    public static ConditionParameterType ParseType(string text)
    {
        var lt = text.IndexOf('<');
        if (lt < 0)
        {
            return ConditionParameterType.Of(TypeName(text));
        }

        var inner = ParseType(text[(lt + 1)..text.LastIndexOf('>')].Trim());
        return new ConditionParameterType(TypeName(text[..lt].Trim()), [inner]);
    }

    private static ConditionTypeName TypeName(string name) => name switch
    {
        "any" => ConditionTypeName.Any,
        "bool" => ConditionTypeName.Bool,
        "string" => ConditionTypeName.String,
        "int" => ConditionTypeName.Int,
        "uint" => ConditionTypeName.Uint,
        "double" => ConditionTypeName.Double,
        "duration" => ConditionTypeName.Duration,
        "timestamp" => ConditionTypeName.Timestamp,
        "map" => ConditionTypeName.Map,
        "list" => ConditionTypeName.List,
        "ipaddress" => ConditionTypeName.IpAddress,
        _ => throw new FormatException($"unknown condition parameter type '{name}'"),
    };

    /// <summary>The brace closing the condition body, skipping braces inside string literals and map literals.</summary>
    private static int FindClosingBrace(string text, int from)
    {
        var depth = 1;
        for (var i = from; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '"' or '\'')
            {
                i++;
                while (i < text.Length && text[i] != c)
                {
                    i += text[i] == '\\' ? 2 : 1;
                }
            }
            else if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && --depth == 0)
            {
                return i;
            }
        }

        throw new FormatException("unterminated condition body");
    }
}
