using System.Globalization;
using System.Text;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Kastell.Server.Platform.Http;
using Sylvan.Data.Csv;

namespace Kastell.Server.Features.Assets.Import;

/// <summary>A row below the header, numbered as the spreadsheet shows it (the header is row 1).</summary>
internal sealed record SheetRow(int Number, IReadOnlyList<string> Cells)
{
    public string Cell(int column) => column >= 0 && column < Cells.Count ? Cells[column] : "";
}

/// <summary>A spreadsheet's first table: its header and the rows below it (blank rows left out).</summary>
internal sealed record Sheet(IReadOnlyList<string> Header, IReadOnlyList<SheetRow> Rows)
{
    /// <summary>The largest file read: thousands of assets fit in far less.</summary>
    public const long MaxBytes = 2 * 1024 * 1024;

    public const int MaxRows = 5000;

    public const int MaxColumns = 50;

    /// <summary>The longest cell kept; longer text is refused by the field's own limit later, this only bounds memory.</summary>
    public const int MaxCellLength = 8000;

    /// <summary>An XLSX part is a zip entry: its unpacked size is bounded too (a small file may unpack to gigabytes).</summary>
    private const long MaxCharactersInPart = 64L * 1024 * 1024;

    private static readonly byte[] ZipSignature = [0x50, 0x4B, 0x03, 0x04];

    /// <summary>
    /// Reads an XLSX workbook (its first worksheet) or a CSV file (UTF-8, or Latin-1 when it is not UTF-8, as older
    /// spreadsheet programs write; the delimiter — <c>,</c> <c>;</c> tab or <c>|</c> — detected from the header). Anything else, an empty file or one
    /// with more than <see cref="MaxRows"/> rows is refused as a whole.
    /// </summary>
    public static Result<Sheet> Read(byte[] content)
    {
        if (content.Length == 0)
        {
            return AssetsErrors.ImportFileInvalid;
        }

        if (content.Length > MaxBytes)
        {
            return AssetsErrors.ImportFileTooLarge;
        }

        List<List<string>>? rows;
        try
        {
            rows = content.AsSpan().StartsWith(ZipSignature) ? ReadWorkbook(content) : ReadCsv(content);
        }
        catch (Exception exception) when (exception is CsvFormatException or CsvInvalidCharacterException or CsvRecordTooLargeException or CsvConfigurationException or InvalidDataException or OpenXmlPackageException or InvalidOperationException or System.Xml.XmlException or IOException or ArgumentException or FormatException)
        {
            // Not a spreadsheet we can read; what the parser says may quote the file, so it is not passed on.
            return AssetsErrors.ImportFileInvalid;
        }

        if (rows is null)
        {
            return AssetsErrors.ImportTooManyRows;
        }

        var numbered = rows.Select((cells, index) => new SheetRow(index + 1, cells)).Where(r => r.Cells.Any(c => c.Length > 0)).ToList();
        if (numbered.Count == 0 || numbered[0].Number != 1 || numbered[0].Cells.Count > MaxColumns)
        {
            return AssetsErrors.ImportFileInvalid;
        }

        return new Sheet(numbered[0].Cells, [.. numbered.Skip(1)]);
    }

    /// <summary>The rows, or null when there are more than <see cref="MaxRows"/> below the header.</summary>
    private static List<List<string>>? ReadCsv(byte[] content)
    {
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(content);
        }
        catch (DecoderFallbackException)
        {
            text = Encoding.Latin1.GetString(content);
        }

        var options = new CsvDataReaderOptions
        {
            HasHeaders = false,
            Comment = '\0', // a row may start with '#' (an asset named "#1 rack"); NUL never starts one
            MaxBufferSize = (int)MaxBytes * 2,
        };
        using var csv = CsvDataReader.Create(new StringReader(text.TrimStart('\uFEFF')), options);
        var rows = new List<List<string>>();
        while (csv.Read())
        {
            if (rows.Count > MaxRows)
            {
                return null;
            }

            rows.Add([.. Enumerable.Range(0, Math.Min(csv.RowFieldCount, MaxColumns + 1)).Select(i => Clean(csv.GetString(i)))]);
        }

        return rows;
    }

    /// <summary>The first worksheet's rows (shared, inline and plain values as text); null when there are too many.</summary>
    private static List<List<string>>? ReadWorkbook(byte[] content)
    {
        using var stream = new MemoryStream(content, writable: false);
        using var document = SpreadsheetDocument.Open(stream, isEditable: false, new OpenSettings { MaxCharactersInPart = MaxCharactersInPart });
        var workbook = document.WorkbookPart ?? throw new InvalidDataException("No workbook.");
        var first = workbook.Workbook.Sheets?.Elements<DocumentFormat.OpenXml.Spreadsheet.Sheet>().FirstOrDefault()
            ?? throw new InvalidDataException("No worksheet.");
        var worksheet = (WorksheetPart)workbook.GetPartById(first.Id!.Value!);
        var shared = workbook.SharedStringTablePart?.SharedStringTable.Elements<SharedStringItem>().Select(i => i.InnerText).ToList() ?? [];
        var rows = new List<List<string>>();
        foreach (var row in worksheet.Worksheet.Descendants<Row>())
        {
            // Rows carry their own numbers; gaps (empty rows Excel leaves out) are kept so row numbers match the sheet.
            var number = row.RowIndex?.Value is { } index ? (int)Math.Min(index, int.MaxValue) : rows.Count + 1;
            if (number > MaxRows + 1)
            {
                return null;
            }

            while (rows.Count < number - 1)
            {
                rows.Add([]);
            }

            var cells = new List<string>();
            foreach (var cell in row.Elements<Cell>())
            {
                var column = cell.CellReference?.Value is { } reference ? ColumnIndex(reference) : cells.Count;
                if (column >= MaxColumns + 1)
                {
                    continue;
                }

                while (cells.Count < column)
                {
                    cells.Add("");
                }

                cells.Add(Clean(Text(cell, shared)));
            }

            if (number > rows.Count)
            {
                rows.Add(cells);
            }
        }

        return rows;
    }

    private static string Text(Cell cell, List<string> shared)
    {
        var value = cell.CellValue?.Text ?? "";
        if (cell.DataType?.Value == CellValues.SharedString)
        {
            return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < shared.Count ? shared[index] : "";
        }

        return cell.DataType?.Value == CellValues.InlineString ? cell.InlineString?.InnerText ?? "" : value;
    }

    /// <summary>The zero-based column of a reference like <c>C12</c>.</summary>
    private static int ColumnIndex(string reference)
    {
        var column = 0;
        foreach (var c in reference)
        {
            if (c is < 'A' or > 'Z')
            {
                break;
            }

            column = Math.Min((column * 26) + (c - 'A' + 1), MaxColumns + 1);
        }

        return column - 1;
    }

    private static string Clean(string cell) => (cell.Length > MaxCellLength ? cell[..MaxCellLength] : cell).Trim();
}
