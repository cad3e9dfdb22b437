using System.Net;
using System.Text.RegularExpressions;
using OtpNet;

namespace Kastell.Server.Tests.Support;

/// <summary>
/// A cookie-keeping HTTP client that submits the app's server-rendered forms the way a browser without JavaScript
/// would: it reads the antiforgery token and the Blazor form handler from the page and posts the fields.
/// </summary>
public sealed partial class TestBrowser(HttpClient client) : IDisposable
{
    public HttpClient Client => client;

    /// <summary>The in-process host this browser talks to, when there is one (its mail sink holds the mails sent to the user).</summary>
    public KastellHost? Host { get; init; }

    public string? LastPage { get; private set; }

    public async Task<HttpResponseMessage> GetAsync(string path)
    {
        var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        LastPage = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return response;
    }

    /// <summary>Loads <paramref name="path"/>, fills the form named <paramref name="formName"/> and posts it.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string path, string formName, IDictionary<string, string> fields)
    {
        var page = await GetAsync(path);
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)page.StatusCode}");
        return await SubmitShownAsync(path, formName, fields);
    }

    /// <summary>
    /// Fills and posts a form of the page already shown (one that a previous post rendered, for instance), or of
    /// <paramref name="page"/> when the browser has moved on since.
    /// </summary>
    public async Task<HttpResponseMessage> SubmitShownAsync(string path, string formName, IDictionary<string, string> fields, string? page = null)
    {
        var form = FindForm(page ?? LastPage!, formName);
        var values = new Dictionary<string, string>(fields)
        {
            ["__RequestVerificationToken"] = HiddenValue(form, "__RequestVerificationToken"),
            ["_handler"] = formName,
        };
        return await PostAsync(FormAction(form, path), values);
    }

    public async Task<HttpResponseMessage> PostAsync(string path, IDictionary<string, string> values)
    {
        using var content = new FormUrlEncodedContent(values);
        var response = await client.PostAsync(path, content, TestContext.Current.CancellationToken);
        LastPage = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return response;
    }

    /// <summary>The antiforgery token of any form on the current page (the layout's sign-out and language forms carry one).</summary>
    public string AnyAntiforgeryToken() => HiddenValue(LastPage!, "__RequestVerificationToken");

    /// <summary>The redirect target as a local path and query, whether the app answered with a relative or absolute URL.</summary>
    public static string? LocationOf(HttpResponseMessage response) =>
        response.Headers.Location is not { } location ? null
        : location.IsAbsoluteUri ? (location.IsLoopback ? location.PathAndQuery : location.ToString())
        : location.OriginalString;

    /// <summary>The page without per-response values (antiforgery tokens, field values), for comparing two answers.</summary>
    public static string WithoutTokens(string html) =>
        Regex.Replace(html, "value=\"[^\"]*\"", "value=\"\"");

    public static string TotpSecretFrom(string page)
    {
        var match = TotpKey().Match(page);
        Assert.True(match.Success, "The MFA set-up page shows no TOTP key.");
        return match.Groups[1].Value.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
    }

    /// <summary>
    /// The code of the next 30-second step: Kastell accepts one step of drift and every step only once, so a code
    /// for the step after enrolment signs in immediately without waiting for the clock.
    /// </summary>
    public static string NextTotpCode(string secret) => TotpCode(secret, DateTime.UtcNow.AddSeconds(30));

    /// <summary>
    /// A code for a step that no earlier <see cref="NextTotpCode"/> of this secret can have spent: waits into the next
    /// 30-second step first (up to 31 s). For an account that signed in or re-authenticated moments ago.
    /// </summary>
    public static async Task<string> FreshTotpCodeAsync(string secret, CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromSeconds(31 - (DateTimeOffset.UtcNow.ToUnixTimeSeconds() % 30)), cancellationToken);
        return NextTotpCode(secret);
    }

    /// <summary>
    /// A code the secret does not give within the accepted window, and never used: ten minutes ahead, so replay
    /// protection (which refuses steps at or before the last accepted one) would let it through and only the wrong
    /// code itself refuses it. A code from the past would be refused as a replay whatever its value.
    /// </summary>
    public static string WrongTotpCode(string secret)
    {
        var valid = new[] { -30, 0, 30, 60 }.Select(s => TotpCode(secret, DateTime.UtcNow.AddSeconds(s))).ToHashSet();
        return new[] { TotpCode(secret, DateTime.UtcNow.AddMinutes(10)), "000000", "111111" }.First(c => !valid.Contains(c));
    }

    public static string TotpCode(string secret, DateTime? at = null) =>
        new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(at ?? DateTime.UtcNow);

    public static IReadOnlyList<string> RecoveryCodesFrom(string page) =>
        [.. RecoveryCodes().Matches(page).Select(m => m.Groups[1].Value)];

    private static string FindForm(string html, string formName)
    {
        foreach (Match form in Forms().Matches(html))
        {
            if (form.Value.Contains($"value=\"{formName}\"", StringComparison.Ordinal))
            {
                return form.Value;
            }
        }

        throw new InvalidOperationException($"No form '{formName}' on the page.");
    }

    private static string FormAction(string form, string fallback)
    {
        var action = Regex.Match(form, "action=\"([^\"]*)\"");
        return action.Success && action.Groups[1].Value.Length > 0 ? WebUtility.HtmlDecode(action.Groups[1].Value) : fallback;
    }

    private static string HiddenValue(string html, string name)
    {
        var match = Regex.Match(html, $"name=\"{Regex.Escape(name)}\"[^>]*value=\"([^\"]*)\"");
        Assert.True(match.Success, $"No hidden field {name} on the page.");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    [GeneratedRegex("<form[\\s\\S]*?</form>")]
    private static partial Regex Forms();

    [GeneratedRegex("data-testid=\"totp-key\">([^<]+)<")]
    private static partial Regex TotpKey();

    [GeneratedRegex("<li><code>([^<]+)</code></li>")]
    private static partial Regex RecoveryCodes();

    public void Dispose() => client.Dispose();
}
