using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Kastell.Server.Tests.Infrastructure;

namespace Kastell.Server.Tests.Support;

/// <summary>What the identity provider asserts about the person, and how this one response misbehaves
/// (tests/saml-idp/idp.mjs: foreign-key, audience, expired, tamper, unsolicited, unknown-request; none by default).</summary>
public sealed record SamlTestLogin(string NameId, string? Email, string? Name = null, string? AuthnContext = null, string Attack = "none", string? TamperedEmail = null);

/// <summary>The identity provider's answer as the browser would post it: the ACS URL and the form values.</summary>
public sealed record SamlTestAnswer(string AssertionConsumerUrl, string SamlResponse, string? RelayState)
{
    public Dictionary<string, string> Form() => RelayState is null
        ? new() { ["SAMLResponse"] = SamlResponse }
        : new() { ["SAMLResponse"] = SamlResponse, ["RelayState"] = RelayState };

    /// <summary>The decoded response XML.</summary>
    public string Xml => Encoding.UTF8.GetString(Convert.FromBase64String(SamlResponse));
}

/// <summary>
/// One real SAML 2.0 identity provider per test process: samlify (pinned in tests/saml-idp) wrapped by
/// tests/saml-idp/idp.mjs, on a free loopback port, started on first use and killed when the process exits. Tests keep
/// apart by service provider (each connection registers its own SP metadata) and by the per-response attack mode.
/// </summary>
public static partial class SamlTestProvider
{
    private static readonly Lazy<string> Url = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string BaseUrl => Url.Value;

    public static string EntityId => BaseUrl + "/metadata";

    public static async Task<string> MetadataAsync()
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(BaseUrl + "/metadata", TestContext.Current.CancellationToken);
    }

    /// <summary>Imports Kastell's SP metadata at the provider, as an admin would.</summary>
    public static async Task RegisterServiceProviderAsync(string spMetadata)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(BaseUrl + "/_test/sp", new StringContent(spMetadata, Encoding.UTF8, "application/xml"), TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>Plays the person at the provider: follows the AuthnRequest redirect to the login page, fills it in, and
    /// returns the auto-posting form the provider answers with.</summary>
    public static async Task<SamlTestAnswer> SignInAsync(string authnRequestUrl, SamlTestLogin login)
    {
        Assert.StartsWith(BaseUrl + "/sso?", authnRequestUrl, StringComparison.Ordinal);
        using var agent = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var page = await agent.GetAsync(authnRequestUrl, TestContext.Current.CancellationToken);
        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(page.StatusCode == HttpStatusCode.OK, html);
        var action = LoginAction().Match(html);
        Assert.True(action.Success, "The provider showed no login form: " + html[..Math.Min(html.Length, 300)]);
        var fields = new Dictionary<string, string>
        {
            ["nameId"] = login.NameId,
            ["email"] = login.Email ?? "",
            ["name"] = login.Name ?? "",
            ["authnContext"] = login.AuthnContext ?? "",
            ["attack"] = login.Attack,
            ["tamperedEmail"] = login.TamperedEmail ?? "",
        };
        using var posted = await agent.PostAsync(BaseUrl + action.Groups[1].Value, new FormUrlEncodedContent(fields), TestContext.Current.CancellationToken);
        var answer = await posted.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(posted.StatusCode == HttpStatusCode.OK, answer);
        var acs = WebUtility.HtmlDecode(PostAction().Match(answer).Groups[1].Value);
        var response = WebUtility.HtmlDecode(HiddenValue("SAMLResponse").Match(answer).Groups[1].Value);
        var relay = HiddenValue("RelayState").Match(answer) is { Success: true } r ? WebUtility.HtmlDecode(r.Groups[1].Value) : null;
        Assert.False(string.IsNullOrEmpty(response), "The provider answered without a SAMLResponse: " + answer[..Math.Min(answer.Length, 300)]);
        return new SamlTestAnswer(acs, response, relay);
    }

    private static Regex HiddenValue(string name) => new($"name=\"{name}\" value=\"([^\"]*)\"", RegexOptions.None, TimeSpan.FromSeconds(5));

    private static string Start()
    {
        var folder = Path.Combine(RepositoryRoot(), "tests", "saml-idp");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "samlify")))
        {
            throw new InvalidOperationException("samlify is not installed: run `npm ci --prefix tests/saml-idp` (scripts/test.sh does).");
        }

        for (var attempt = 0; ; attempt++)
        {
            var port = FreeLoopbackPort.Find();
            var process = Process.Start(new ProcessStartInfo("node", [Path.Combine(folder, "idp.mjs"), "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (WaitUntilListening(process, port))
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => process.Kill(entireProcessTree: true);
                return $"http://127.0.0.1:{port}";
            }

            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            if (attempt == 4)
            {
                throw new InvalidOperationException("The test SAML identity provider did not start listening on a loopback port.");
            }
        }
    }

    private static bool WaitUntilListening(Process process, int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect("127.0.0.1", port);
                return true;
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }

        return false;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Kastell.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Kastell.slnx not found above the test binary.");
    }

    [GeneratedRegex("<form method=\"post\" action=\"(/login/[0-9a-f]+)\"")]
    private static partial Regex LoginAction();

    [GeneratedRegex("<form method=\"post\" action=\"([^\"]+)\"")]
    private static partial Regex PostAction();
}
