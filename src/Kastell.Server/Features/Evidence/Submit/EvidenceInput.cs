using System.Globalization;
using Kastell.Server.Features.Assets.ManageAssets;
using Kastell.Server.Features.Controls.ManageControls;
using Kastell.Server.Platform.Http;

namespace Kastell.Server.Features.Evidence.Submit;

/// <summary>
/// Evidence as a form or the API sends it, all client text: kind (<c>File</c>, <c>Link</c>, <c>Note</c>), title, the
/// link's address, a note (the text of a note item, a description otherwise), an effective date or an observation
/// period (ISO dates, <c>yyyy-MM-dd</c>), an optional end of validity, and the ids of the controls and assets of the
/// Space it belongs to.
/// </summary>
public sealed record EvidenceInput(string? Kind, string? Title, string? Url, string? Note, string? EffectiveOn, string? ObservedFrom, string? ObservedTo,
    string? ValidUntil, IReadOnlyList<string>? Controls = null, IReadOnlyList<string>? Assets = null);

/// <summary>A file sent with file evidence: the client's name for it and its content, read once.</summary>
public sealed record EvidenceFile(string FileName, Stream Content);

/// <summary>Evidence input that passed validation.</summary>
internal sealed record ValidEvidence(EvidenceKind Kind, string Title, string Url, string Note, DateOnly? EffectiveOn, DateOnly? ObservedFrom, DateOnly? ObservedTo,
    DateOnly? ValidUntil, IReadOnlyList<Guid> Controls, IReadOnlyList<Guid> Assets);

internal static class EvidenceInputs
{
    /// <summary>The most controls and assets one item links to (a form offers each once; more is not a person's doing).</summary>
    public const int MaxLinks = 200;

    public static async Task<Result<ValidEvidence>> ValidateAsync(EvidenceInput input, Guid spaceId, ControlQueries controls, AssetQueries assets, CancellationToken cancellationToken)
    {
        // Enum.TryParse takes numbers too ("1"): only the names are the kinds.
        if (input.Kind is not { } kindText || !Enum.GetNames<EvidenceKind>().Contains(kindText, StringComparer.Ordinal))
        {
            return EvidenceErrors.KindInvalid;
        }

        var kind = Enum.Parse<EvidenceKind>(kindText);
        if (EvidenceNames.Clean(input.Title, EvidenceItem.MaxTitleLength, required: true) is not { } title
            || EvidenceNames.Clean(input.Note, EvidenceItem.MaxNoteLength, required: kind == EvidenceKind.Note, multiline: true) is not { } note)
        {
            return kind == EvidenceKind.Note && string.IsNullOrWhiteSpace(input.Note) ? EvidenceErrors.KindInvalid : EvidenceErrors.TitleInvalid;
        }

        var url = "";
        if (kind == EvidenceKind.Link)
        {
            if (Link(input.Url) is not { } link)
            {
                return EvidenceErrors.LinkInvalid;
            }

            url = link;
        }
        else if (!string.IsNullOrEmpty(input.Url))
        {
            return EvidenceErrors.LinkInvalid; // an address on a file or note would be shown nowhere: refused, not dropped
        }

        if (!Date(input.EffectiveOn, out var effective) || !Date(input.ObservedFrom, out var from) || !Date(input.ObservedTo, out var to) || !Date(input.ValidUntil, out var until))
        {
            return EvidenceErrors.DatesInvalid;
        }

        // A day, or a whole period — never both, never neither, never backwards; valid until no earlier than it starts.
        var isDay = effective is not null && from is null && to is null;
        var isPeriod = effective is null && from is { } start && to is { } end && start <= end;
        if (!(isDay || isPeriod) || (until is { } last && last < (effective ?? from)))
        {
            return EvidenceErrors.DatesInvalid;
        }

        var controlIds = Ids(input.Controls);
        var assetIds = Ids(input.Assets);
        if (controlIds is null || assetIds is null)
        {
            return EvidenceErrors.LinkTargetInvalid;
        }

        if (controlIds.Count > 0 && !controlIds.ToHashSet().IsSubsetOf((await controls.ListAsync(spaceId, cancellationToken)).Select(c => c.Id)))
        {
            return EvidenceErrors.LinkTargetInvalid;
        }

        if (assetIds.Count > 0 && !assetIds.ToHashSet().IsSubsetOf((await assets.ChoicesAsync(spaceId, cancellationToken)).Select(a => a.Id)))
        {
            return EvidenceErrors.LinkTargetInvalid;
        }

        return new ValidEvidence(kind, title, url, note, effective, from, to, until, controlIds, assetIds);
    }

    /// <summary>
    /// An absolute https address without user name or password, of at most 2,000 characters and without control
    /// characters or spaces, in its normalized form; null for anything else (javascript:, http:, relative, …).
    /// </summary>
    public static string? Link(string? value)
    {
        var text = (value ?? "").Trim();
        if (text.Length == 0 || text.Length > EvidenceItem.MaxUrlLength || text.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            return null;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && uri.UserInfo.Length == 0 && uri.Host.Length > 0
            && uri.AbsoluteUri.Length <= EvidenceItem.MaxUrlLength
            ? uri.AbsoluteUri
            : null;
    }

    /// <summary>An ISO date, or nothing (empty); false for anything else.</summary>
    private static bool Date(string? value, out DateOnly? date)
    {
        date = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return true;
        }

        if (DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            date = parsed;
            return true;
        }

        return false;
    }

    /// <summary>Distinct ids, or null when one is not an id or there are too many.</summary>
    private static List<Guid>? Ids(IReadOnlyList<string>? values)
    {
        var ids = new List<Guid>();
        foreach (var value in values ?? [])
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            if (!Guid.TryParseExact(value, "D", out var id))
            {
                return null;
            }

            if (!ids.Contains(id))
            {
                ids.Add(id);
            }
        }

        return ids.Count > MaxLinks ? null : ids;
    }
}
