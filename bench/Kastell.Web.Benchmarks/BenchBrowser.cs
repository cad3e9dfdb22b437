using System.Net;
using System.Text.RegularExpressions;

namespace Kastell.Web.Benchmarks;

/// <summary>
/// A cookie-keeping client that fills Kastell's server-rendered forms as a browser without JavaScript would (the
/// antiforgery token and the form's handler name from the page). It trusts exactly the certificate the server
/// presents on loopback: the benchmark's own, created by bench/web.sh.
/// </summary>
internal sealed partial class BenchBrowser(Uri baseAddress) : IDisposable
{
    private readonly CookieContainer _cookies = new();
    private HttpClient? _client;

    public string LastPage { get; private set; } = "";

    private HttpClient Client => _client ??= new HttpClient(new SocketsHttpHandler
    {
        CookieContainer = _cookies,
        AllowAutoRedirect = false,
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    })
    { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };

    /// <summary>The Cookie header this browser would send to the server (for wrk).</summary>
    public string CookieHeader => _cookies.GetCookieHeader(baseAddress);

    public async Task<HttpResponseMessage> GetAsync(string path)
    {
        var response = await Client.GetAsync(path);
        LastPage = await response.Content.ReadAsStringAsync();
        return response;
    }

    /// <summary>Loads <paramref name="path"/>, fills the form named <paramref name="formName"/> and posts it.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string path, string formName, IDictionary<string, string> fields)
    {
        Expect(await GetAsync(path), HttpStatusCode.OK, $"GET {path}");
        var values = new Dictionary<string, string>(fields)
        {
            ["__RequestVerificationToken"] = FormToken(formName),
            ["_handler"] = formName,
        };
        using var content = new FormUrlEncodedContent(values);
        var response = await Client.PostAsync(path, content);
        LastPage = await response.Content.ReadAsStringAsync();
        return response;
    }

    /// <summary>Posts a file as the files page's upload form does: the antiforgery token first, then the file.</summary>
    public async Task<HttpResponseMessage> UploadAsync(string pagePath, string fileName, byte[] bytes)
    {
        Expect(await GetAsync(pagePath), HttpStatusCode.OK, $"GET {pagePath}");
        var form = Regex.Match(LastPage, "<form[^>]*action=\"([^\"]*/upload)\"[\\s\\S]*?</form>");
        if (!form.Success)
        {
            throw new InvalidOperationException($"{pagePath} shows no upload form.");
        }

        using var content = new MultipartFormDataContent
        {
            { new StringContent(HiddenValue(form.Value, "__RequestVerificationToken")), "__RequestVerificationToken" },
            { new ByteArrayContent(bytes), "File", fileName },
        };
        var response = await Client.PostAsync(WebUtility.HtmlDecode(form.Groups[1].Value), content);
        LastPage = await response.Content.ReadAsStringAsync();
        return response;
    }

    /// <summary>The antiforgery token of the form named <paramref name="formName"/> on the page last shown.</summary>
    public string FormToken(string formName)
    {
        foreach (Match form in Forms().Matches(LastPage))
        {
            if (form.Value.Contains($"value=\"{formName}\"", StringComparison.Ordinal))
            {
                return HiddenValue(form.Value, "__RequestVerificationToken");
            }
        }

        throw new InvalidOperationException($"No form '{formName}' on the page.");
    }

    public static string? LocationOf(HttpResponseMessage response) =>
        response.Headers.Location is not { } location ? null
        : location.IsAbsoluteUri ? location.PathAndQuery
        : location.OriginalString;

    public static void Expect(HttpResponseMessage response, HttpStatusCode status, string what)
    {
        if (response.StatusCode != status)
        {
            throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}, expected {(int)status} (Location: {LocationOf(response)}).");
        }
    }

    private static string HiddenValue(string html, string name)
    {
        var match = Regex.Match(html, $"name=\"{Regex.Escape(name)}\"[^>]*value=\"([^\"]*)\"");
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : throw new InvalidOperationException($"No hidden field {name} on the page.");
    }

    [GeneratedRegex("<form[\\s\\S]*?</form>")]
    private static partial Regex Forms();

    public void Dispose() => _client?.Dispose();
}
