using System.Globalization;
using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Features.Controls;

/// <summary>Small helpers the feature's commands share: audit targets and actor names, text cleaning.</summary>
internal static class ControlNames
{
    public static AuditTarget Target(Guid controlId) => new("control", controlId.ToString());

    /// <summary>An actor as the feature's rows name it (<c>user:…</c>, <c>system:cli</c>), like the audit log.</summary>
    public static string ActorName(AuditActor who) =>
        Clip(who.Id is null ? who.Kind.ToString().ToLowerInvariant() : $"{who.Kind.ToString().ToLowerInvariant()}:{who.Id}", 200);

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

    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Clip(string value, int length) => value.Length <= length ? value : value[..length];
}
