using System.Text;

namespace Kastell.Server.Features.Assets.Import;

/// <summary>The import template: the header and one example row, as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read umlauts right).</summary>
internal static class ImportTemplate
{
    public const string FileName = "kastell-assets.csv";

    public static byte[] Csv()
    {
        var text = new StringBuilder()
            .AppendLine(string.Join(',', ImportColumns.All.Select(c => c.English)))
            .AppendLine("Customer portal,Application,Web application for customers,,High,Customer data incl. payment details,Normal,,High,Customers depend on it daily,Web server")
            .AppendLine("Web server,Infrastructure,,,,,,,,,");
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }
}
