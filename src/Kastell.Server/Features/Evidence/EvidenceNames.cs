using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Features.Evidence;

/// <summary>Small helpers the feature's commands share: audit targets, text cleaning.</summary>
internal static class EvidenceNames
{
    public static AuditTarget Target(Guid evidenceId) => new("evidence", evidenceId.ToString());

    /// <summary>
    /// The text trimmed, or null when it is empty (and <paramref name="required"/>), longer than
    /// <paramref name="maxLength"/>, or holds control characters other than line breaks and tabs (where allowed).
    /// </summary>
    public static string? Clean(string? value, int maxLength, bool required, bool multiline = false)
    {
        var text = (value ?? "").Trim();
        if ((required && text.Length == 0) || text.Length > maxLength)
        {
            return null;
        }

        foreach (var c in text)
        {
            if (char.IsControl(c) && !(multiline && c is '\n' or '\r' or '\t'))
            {
                return null;
            }
        }

        return multiline ? text.ReplaceLineEndings("\n") : text;
    }

    public static string Short(string value) => value.Length <= 100 ? value : value[..100];
}
