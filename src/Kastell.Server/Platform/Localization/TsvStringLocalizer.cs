using System.Collections.Frozen;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Localization;

namespace Kastell.Server.Platform.Localization;

/// <summary>
/// Every user-visible text of Kastell, English and German side by side in a <c>strings.tsv</c> per feature
/// (<c>Features/&lt;Feature&gt;/strings.tsv</c>) and one for the platform (<c>Platform/Localization/strings.tsv</c>),
/// embedded in the assembly and merged here. A file is tab-separated with the header <c>key en de</c>; a key defined
/// twice, a missing translation or a malformed line stops start-up, so a gap shows up at once instead of as an English
/// word on a German page.
/// </summary>
internal sealed class TsvStringLocalizer : IStringLocalizer<Strings>
{
    /// <summary>The logical name prefix of the embedded files (see the project file).</summary>
    internal const string ResourcePrefix = "Kastell.Strings/";

    private readonly FrozenDictionary<string, Text> _texts;

    public TsvStringLocalizer()
        : this(Load(typeof(Strings).Assembly))
    {
    }

    internal TsvStringLocalizer(FrozenDictionary<string, Text> texts) => _texts = texts;

    internal readonly record struct Text(string English, string German, string Source);

    /// <summary>Every key with its texts and the file that defines it.</summary>
    internal IReadOnlyDictionary<string, Text> Texts => _texts;

    public LocalizedString this[string name] =>
        _texts.TryGetValue(name, out var text) ? new(name, Pick(text)) : new(name, name, resourceNotFound: true);

    public LocalizedString this[string name, params object[] arguments] =>
        _texts.TryGetValue(name, out var text)
            ? new(name, string.Format(CultureInfo.CurrentCulture, Pick(text), arguments))
            : new(name, name, resourceNotFound: true);

    public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures) =>
        _texts.Select(t => new LocalizedString(t.Key, Pick(t.Value)));

    private static string Pick(Text text) =>
        CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "de" ? text.German : text.English;

    /// <summary>Reads every embedded <c>strings.tsv</c> of <paramref name="assembly"/>.</summary>
    internal static FrozenDictionary<string, Text> Load(Assembly assembly)
    {
        var files = assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new InvalidOperationException("No strings.tsv is embedded in the assembly.");
        }

        return Parse(files.Select(name =>
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            return (name[ResourcePrefix.Length..], reader.ReadToEnd());
        }));
    }

    /// <summary>Merges tables given as (source name, content); throws on anything that would lose a text.</summary>
    internal static FrozenDictionary<string, Text> Parse(IEnumerable<(string Source, string Content)> tables)
    {
        var texts = new Dictionary<string, Text>(StringComparer.Ordinal);
        foreach (var (source, content) in tables)
        {
            var lines = content.Split('\n');
            if (lines[0].TrimEnd('\r') != "key\ten\tde")
            {
                throw new InvalidOperationException($"{source}: the first line must be the header 'key<TAB>en<TAB>de'.");
            }

            for (var i = 1; i < lines.Length; i++)
            {
                var line = lines[i].TrimEnd('\r');
                if (line.Length == 0)
                {
                    continue;
                }

                var fields = line.Split('\t');
                if (fields.Length != 3 || fields.Any(string.IsNullOrWhiteSpace))
                {
                    throw new InvalidOperationException($"{source}, line {i + 1}: a key, its English and its German text, separated by tabs.");
                }

                if (!texts.TryAdd(fields[0], new Text(fields[1], fields[2], source)))
                {
                    throw new InvalidOperationException($"{source}, line {i + 1}: the key {fields[0]} is already defined in {texts[fields[0]].Source}.");
                }
            }
        }

        return texts.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
