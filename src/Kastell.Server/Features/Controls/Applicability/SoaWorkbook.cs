using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Kastell.Server.Features.Controls.Adoption;
using Kastell.Server.Platform.Localization;
using Microsoft.Extensions.Localization;

namespace Kastell.Server.Features.Controls.Applicability;

/// <summary>
/// A framework's statement of applicability in a Space as an XLSX workbook (Open XML SDK): one sheet, a header row,
/// one row per requirement in the framework's order — id, title, applicability, justification, the answering
/// controls and their statuses. Every cell is an inline string, never a formula; text that a spreadsheet would take
/// for a formula when typed or re-imported as CSV (starting with = + - @, a tab or a carriage return) is neutralised
/// with a leading apostrophe (OWASP "CSV injection").
/// </summary>
public sealed class SoaWorkbook(SoaQuery soa, IStringLocalizer<Strings> text)
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>Excel's limit for a cell's text; longer text (none of ours is) would make the file unreadable.</summary>
    private const int MaxCellLength = 32_767;

    public static string FileName(AdoptedFramework adoption) =>
        "soa-" + new string([.. adoption.Title.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-')]).Trim('-') + ".xlsx";

    public async Task<byte[]> CreateAsync(Guid spaceId, AdoptedFramework adoption, CancellationToken cancellationToken = default)
    {
        var lines = await soa.AfterAsync(spaceId, adoption.VersionId, afterPosition: null, take: int.MaxValue, cancellationToken);
        using var buffer = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(buffer, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            var sheetPart = workbook.AddNewPart<WorksheetPart>();
            var data = new SheetData();
            data.Append(Row(text["FrameworkTitle"], text["ControlRequirementId"], text["ControlRequirementTitle"], text["ControlsSoaDecisionColumn"],
                text["ControlsSoaJustification"], text["ControlsTitle"], text["ControlStatus"]));
            foreach (var (_, line) in lines)
            {
                var decision = text[line.Applicable switch { true => "ControlsSoaApplicable", false => "ControlsSoaExcluded", null => "ControlsSoaUndecided" }];
                data.Append(Row(
                    $"{adoption.Title} ({adoption.Version})", line.Requirement.ControlId, line.Requirement.Title, decision, line.Justification,
                    string.Join("\n", line.Controls.Select(c => c.Title)),
                    string.Join("\n", line.Controls.Select(c => text["ControlStatus" + c.Status].Value))));
            }

            sheetPart.Worksheet = new Worksheet(data);
            var sheets = workbook.Workbook.AppendChild(new Sheets());
            sheets.Append(new Sheet { Id = workbook.GetIdOfPart(sheetPart), SheetId = 1, Name = Clip(text["ControlsSoaTitle"], 31) });
            workbook.Workbook.Save();
        }

        return buffer.ToArray();
    }

    /// <summary>The text as a spreadsheet shows it but never evaluates: a leading apostrophe before a formula's first character.</summary>
    public static string Neutralised(string value) =>
        value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;

    private static Row Row(params string[] values)
    {
        var row = new Row();
        foreach (var value in values)
        {
            row.Append(new Cell
            {
                DataType = CellValues.InlineString,
                InlineString = new InlineString(new Text(Clip(Neutralised(value), MaxCellLength)) { Space = SpaceProcessingModeValues.Preserve }),
            });
        }

        return row;
    }

    private static string Clip(string value, int length) => value.Length <= length ? value : value[..length];
}
