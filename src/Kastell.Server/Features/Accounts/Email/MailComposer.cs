using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Kastell.Server.Platform.Email;
using Kastell.Server.Platform.Localization;
using Microsoft.Extensions.Localization;

namespace Kastell.Server.Features.Accounts.Email;

/// <summary>A paragraph: resource key and its arguments, formatted in the recipient's language.</summary>
internal sealed record MailLine(string Key, params object[] Arguments);

/// <summary>An argument that is itself a resource key (e.g. a role name), localized with the rest of the mail.</summary>
internal sealed record LocalizedArgument(string Key);

/// <summary>
/// Renders one localized e-mail as text and HTML from resource keys: a greeting, paragraphs, an optional button link.
/// Every value is HTML-encoded; the only markup comes from here.
/// </summary>
internal sealed class MailComposer(IStringLocalizer<Strings> text)
{
    public EmailMessage Compose(
        string to,
        string? culture,
        string kind,
        string subject,
        IReadOnlyList<MailLine> paragraphs,
        (string Label, string Url)? action = null)
    {
        var previous = CultureInfo.CurrentUICulture;
        try
        {
            // The recipient's language, not the sender's: an admin writing in German may invite an English speaker.
            if (LocalizationSetup.IsSupported(culture))
            {
                CultureInfo.CurrentUICulture = new CultureInfo(culture!);
            }

            var localizedSubject = text[subject].Value;
            var localizedParagraphs = paragraphs.Select(p => text[p.Key, [.. p.Arguments.Select(Localize)]].Value).ToList();
            var localizedAction = action is { } a ? (text[a.Label].Value, a.Url) : ((string, string)?)null;
            var footer = text["MailFooter"].Value;
            return new EmailMessage(
                to,
                localizedSubject,
                Text(localizedParagraphs, localizedAction, footer),
                Html(localizedSubject, localizedParagraphs, localizedAction, footer),
                kind);
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    private object Localize(object argument) => argument is LocalizedArgument key ? text[key.Key].Value : argument;

    private static string Text(List<string> paragraphs, (string Label, string Url)? action, string footer)
    {
        var body = new StringBuilder();
        foreach (var paragraph in paragraphs)
        {
            body.Append(paragraph).Append("\n\n");
        }

        if (action is { } a)
        {
            body.Append(a.Label).Append(":\n").Append(a.Url).Append("\n\n");
        }

        return body.Append("-- \n").Append(footer).Append('\n').ToString();
    }

    private static string Html(string subject, List<string> paragraphs, (string Label, string Url)? action, string footer)
    {
        // Umlauts stay readable in the source of the mail; markup characters are still escaped.
        var html = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);
        var body = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
            .Append(html.Encode(subject))
            .Append("</title></head><body style=\"font-family:sans-serif;line-height:1.5;max-width:40em\">");
        foreach (var paragraph in paragraphs)
        {
            body.Append("<p>").Append(html.Encode(paragraph)).Append("</p>");
        }

        if (action is { } a)
        {
            body.Append("<p><a href=\"").Append(html.Encode(a.Url)).Append("\" style=\"display:inline-block;padding:.6em 1.2em;background:#1f4e79;color:#fff;text-decoration:none;border-radius:4px\">")
                .Append(html.Encode(a.Label)).Append("</a></p>")
                .Append("<p style=\"font-size:small;color:#555\">").Append(html.Encode(a.Url)).Append("</p>");
        }

        return body.Append("<hr><p style=\"font-size:small;color:#555\">").Append(html.Encode(footer)).Append("</p></body></html>").ToString();
    }
}
