using System.Globalization;
using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Features.AuditTrail;

/// <summary>
/// What the audit page and the exports show, parsed from the query string. Every value is user input: each is
/// bounded and checked here, and a bad one becomes a message (resource key) rather than an exception.
/// </summary>
internal sealed record AuditFilter(string? Actor, AuditEventType? Action, string? Target, DateTimeOffset? From, DateTimeOffset? To, int Page)
{
    public const int MaxTextLength = 254;
    public const int MaxPage = 100_000;

    public static readonly AuditFilter None = new(null, null, null, null, null, 1);

    /// <summary>
    /// The actions an organization's chain can hold — its own events and its members' security events — and so the
    /// only ones the filter offers or accepts; a system-only action (a password-reset request, say) would match nothing.
    /// </summary>
    public static IReadOnlyList<AuditEventType> Actions { get; } = [.. AuditEventCatalog.In(AuditChains.Organization)];

    /// <summary>The filter, or the resource keys of what is wrong with the input.</summary>
    public static (AuditFilter Filter, IReadOnlyList<string> Errors) Parse(string? actor, string? action, string? target, string? from, string? to, string? page)
    {
        var errors = new List<string>();
        actor = Text(actor, "AuditFilterActorInvalid", errors);
        target = Text(target, "AuditFilterTargetInvalid", errors);

        AuditEventType? type = null;
        if (!string.IsNullOrWhiteSpace(action))
        {
            // Names only: a number would also parse, and would silently match a type nobody can see in the list.
            if (action.Trim() is var name && name.All(char.IsAsciiLetter) && AuditEventCatalog.Parse(name) is { } parsed && Actions.Contains(parsed))
            {
                type = parsed;
            }
            else
            {
                errors.Add("AuditFilterActionInvalid");
            }
        }

        var fromTime = Date(from, "AuditFilterFromInvalid", errors);
        // "To" is a day and includes all of it.
        var toTime = Date(to, "AuditFilterToInvalid", errors)?.AddDays(1);
        if (fromTime is { } f && toTime is { } t && f >= t)
        {
            errors.Add("AuditFilterRangeInvalid");
        }

        var pageNumber = 1;
        if (!string.IsNullOrWhiteSpace(page)
            && (!int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out pageNumber) || pageNumber is < 1 or > MaxPage))
        {
            errors.Add("AuditFilterPageInvalid");
            pageNumber = 1;
        }

        return (new AuditFilter(actor, type, target, fromTime, toTime, pageNumber), errors);
    }

    /// <summary>The query string that reproduces this filter (for the export links and the pager).</summary>
    public string ToQuery(int? page = null)
    {
        var parts = new List<string>();
        Add(parts, "actor", Actor);
        Add(parts, "action", Action?.ToString());
        Add(parts, "target", Target);
        Add(parts, "from", From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add(parts, "to", To?.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (page is { } p and > 1)
        {
            Add(parts, "page", p.ToString(CultureInfo.InvariantCulture));
        }

        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    /// <summary>A short, non-secret description for the export's own audit event.</summary>
    public Dictionary<string, string> Describe()
    {
        var facts = new Dictionary<string, string?>
        {
            ["actor"] = Actor,
            ["action"] = Action?.ToString(),
            ["target"] = Target,
            ["from"] = From?.ToString("O", CultureInfo.InvariantCulture),
            ["to"] = To?.ToString("O", CultureInfo.InvariantCulture),
        };
        return facts.Where(f => f.Value is not null).ToDictionary(f => f.Key, f => f.Value!);
    }

    private static void Add(List<string> parts, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            parts.Add($"{name}={Uri.EscapeDataString(value)}");
        }
    }

    private static string? Text(string? value, string error, List<string> errors)
    {
        value = value?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (value.Length > MaxTextLength || value.Any(char.IsControl))
        {
            errors.Add(error);
            return null;
        }

        return value;
    }

    private static DateTimeOffset? Date(string? value, string error, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }

        errors.Add(error);
        return null;
    }
}
