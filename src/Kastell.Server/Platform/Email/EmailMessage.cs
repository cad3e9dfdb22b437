namespace Kastell.Server.Platform.Email;

/// <summary>
/// One outgoing e-mail, already rendered in the recipient's language. <see cref="Kind"/> names the template for logs,
/// which must never contain the bodies (they carry tokens).
/// </summary>
public sealed record EmailMessage(string To, string Subject, string TextBody, string HtmlBody, string Kind);
