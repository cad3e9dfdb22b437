using System.Globalization;
using Kastell.Server.Features.Assets.Inheritance;
using Microsoft.Extensions.Localization;

namespace Kastell.Server.Features.Assets.Import;

/// <summary>A column of the import file.</summary>
internal enum ImportColumn
{
    Name,
    Kind,
    Description,
    Owner,
    Confidentiality,
    ConfidentialityJustification,
    Integrity,
    IntegrityJustification,
    Availability,
    AvailabilityJustification,
    DependsOn,
}

/// <summary>
/// The import file's columns and values, in English or German as a user types them: headers compare without case,
/// spaces, hyphens and underscores (<c>Depends on</c>, <c>depends_on</c>); kinds and levels by their name or by the
/// label Kastell shows in either language (<c>Anwendung</c>, <c>sehr hoch</c>). Overrides of inherited needs are
/// not imported: they are a judgement made on the asset's page once the dependencies are in.
/// </summary>
internal sealed class ImportColumns(IStringLocalizer<Strings> strings)
{
    /// <summary>The header of the template, in order.</summary>
    public static readonly IReadOnlyList<(ImportColumn Column, string English, string German)> All =
    [
        (ImportColumn.Name, "name", "name"),
        (ImportColumn.Kind, "kind", "art"),
        (ImportColumn.Description, "description", "beschreibung"),
        (ImportColumn.Owner, "owner", "verantwortlich"),
        (ImportColumn.Confidentiality, "confidentiality", "vertraulichkeit"),
        (ImportColumn.ConfidentialityJustification, "confidentiality_justification", "vertraulichkeit_begruendung"),
        (ImportColumn.Integrity, "integrity", "integritaet"),
        (ImportColumn.IntegrityJustification, "integrity_justification", "integritaet_begruendung"),
        (ImportColumn.Availability, "availability", "verfuegbarkeit"),
        (ImportColumn.AvailabilityJustification, "availability_justification", "verfuegbarkeit_begruendung"),
        (ImportColumn.DependsOn, "depends_on", "abhaengig_von"),
    ];

    /// <summary>The columns a file must have.</summary>
    public static readonly IReadOnlyList<ImportColumn> Required = [ImportColumn.Name, ImportColumn.Kind];

    /// <summary>The column a header names, or null.</summary>
    public static ImportColumn? Named(string header)
    {
        var key = Key(header);
        foreach (var (column, english, german) in All)
        {
            if (key == Key(english) || key == Key(german) || key == Key(Umlauts(german)))
            {
                return column;
            }
        }

        return null;
    }

    /// <summary>The name a column is shown with (the template's English header).</summary>
    public static string Header(ImportColumn column) => All.First(c => c.Column == column).English;

    /// <summary>The kind a cell names (enum name or label in English or German), or null.</summary>
    public string? Kind(string cell) => Match<AssetKind>(cell, "AssetKind");

    /// <summary>The level a cell names (empty: normal, the default assumption of BSI 200-2), or null when it names none.</summary>
    public string? Level(string cell) => cell.Length == 0 ? nameof(ProtectionLevel.Normal) : Match<ProtectionLevel>(cell, "AssetLevel");

    private string? Match<TEnum>(string cell, string labelPrefix)
        where TEnum : struct, Enum
    {
        var key = Key(cell);
        foreach (var member in Enum.GetValues<TEnum>())
        {
            var name = member.ToString();
            if (key == Key(name) || Labels(labelPrefix + name).Any(label => key == Key(label) || key == Key(Shortened(label))))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>A label in both languages.</summary>
    private string[] Labels(string key)
    {
        var current = CultureInfo.CurrentUICulture;
        try
        {
            return [.. new[] { "en", "de" }.Select(culture =>
            {
                CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
                return strings[key].Value;
            })];
        }
        finally
        {
            CultureInfo.CurrentUICulture = current;
        }
    }

    /// <summary>A label without its explanation in brackets: <c>Physical (room, building)</c> is also <c>Physical</c>.</summary>
    private static string Shortened(string label) => label.Split('(')[0];

    private static string Umlauts(string text) => text.Replace("ae", "ä", StringComparison.Ordinal).Replace("oe", "ö", StringComparison.Ordinal).Replace("ue", "ü", StringComparison.Ordinal);

    /// <summary>Letters and digits only, lower case: how headers and values compare.</summary>
    private static string Key(string text) =>
        string.Concat(text.Where(char.IsLetterOrDigit)).ToLowerInvariant();
}
