using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Kastell.Server.Tests.Infrastructure;

namespace Kastell.Server.Tests.Support;

/// <summary>A client registered at the test provider (RFC 7591), and what it takes to change its redirect URIs (RFC 7592).</summary>
public sealed record OidcTestClient(string ClientId, string ClientSecret, string RegistrationAccessToken);

/// <summary>What the provider asserts about the person signing in.</summary>
public sealed record OidcTestLogin(string Subject, string? Email, bool? EmailVerified = true, string? Name = null, string Amr = "pwd", string? Acr = null);

/// <summary>
/// One real OpenID Provider per test process: panva's <c>oidc-provider</c> (pinned in tests/oidc-provider) wrapped by
/// tests/oidc-provider/provider.mjs, on a free loopback port, started on first use and killed when the process exits.
/// Tests keep apart by client: each registers its own, and the provider misbehaves only for the client an attack test
/// names (<see cref="SetAttackAsync"/>).
/// </summary>
public static partial class OidcTestProvider
{
    private static readonly Lazy<string> Url = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Issuer => Url.Value;

    public static IEnumerable<KeyValuePair<string, string?>> Settings => [new("Kastell:SingleSignOn:AllowLoopbackHttpIssuers", "true")];

    /// <summary>An HTTP client for the provider that keeps the provider's own cookies and does not follow redirects.</summary>
    public static HttpClient CreateUserAgent() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer(), UseCookies = true }) { BaseAddress = new Uri(Issuer) };

    public static async Task<OidcTestClient> RegisterClientAsync(string redirectUri)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsJsonAsync(Issuer + "/reg", Metadata(null, null, redirectUri), TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        return new OidcTestClient((string)body!["client_id"]!, (string)body["client_secret"]!, (string)body["registration_access_token"]!);
    }

    /// <summary>Registers the redirect URI Kastell shows for the connection, as an admin would at their provider.</summary>
    public static async Task SetRedirectUriAsync(OidcTestClient client, string redirectUri)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, $"{Issuer}/reg/{client.ClientId}") { Content = JsonContent.Create(Metadata(client.ClientId, client.ClientSecret, redirectUri)) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", client.RegistrationAccessToken);
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>Makes the provider's token endpoint forge the ID tokens it issues to <paramref name="client"/> (only that client's).</summary>
    public static async Task SetAttackAsync(OidcTestClient client, string mode)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(Issuer + "/_test/attack", new FormUrlEncodedContent(new Dictionary<string, string> { ["client_id"] = client.ClientId, ["mode"] = mode }), TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Plays the person at the provider: follows the authorization request to the login page, fills it in, and follows
    /// the provider's redirects until it sends the browser back to Kastell. Returns that URL (the callback with code and state).
    /// </summary>
    public static async Task<string> SignInAsync(string authorizationUrl, OidcTestLogin login)
    {
        using var agent = CreateUserAgent();
        var next = authorizationUrl;
        for (var hop = 0; hop < 10; hop++)
        {
            if (!next.StartsWith(Issuer, StringComparison.Ordinal))
            {
                return next;
            }

            using var response = await agent.GetAsync(next, TestContext.Current.CancellationToken);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var page = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                var action = LoginAction().Match(page);
                Assert.True(action.Success, "The provider showed no login form: " + page[..Math.Min(page.Length, 500)]);
                var fields = new Dictionary<string, string> { ["sub"] = login.Subject, ["amr"] = login.Amr, ["acr"] = login.Acr ?? "", ["name"] = login.Name ?? "", ["email"] = login.Email ?? "" };
                fields["email_verified"] = login.EmailVerified switch { true => "true", false => "false", null => "" };
                using var posted = await agent.PostAsync(action.Groups[1].Value, new FormUrlEncodedContent(fields), TestContext.Current.CancellationToken);
                next = Absolute(posted.Headers.Location ?? throw new InvalidOperationException($"The login answered {(int)posted.StatusCode}."));
                continue;
            }

            next = Absolute(response.Headers.Location ?? throw new InvalidOperationException($"The provider answered {(int)response.StatusCode} at {next}: {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}"));
        }

        throw new InvalidOperationException("The provider never sent the browser back.");
    }

    private static string Absolute(Uri location) => location.IsAbsoluteUri ? location.AbsoluteUri : new Uri(new Uri(Issuer), location).AbsoluteUri;

    private static JsonObject Metadata(string? clientId, string? clientSecret, string redirectUri)
    {
        var metadata = new JsonObject
        {
            ["redirect_uris"] = new JsonArray(redirectUri),
            ["grant_types"] = new JsonArray("authorization_code"),
            ["response_types"] = new JsonArray("code"),
            ["token_endpoint_auth_method"] = "client_secret_basic",
            ["id_token_signed_response_alg"] = "RS256",
            ["client_name"] = "Kastell test",
        };
        if (clientId is not null)
        {
            metadata["client_id"] = clientId;
            metadata["client_secret"] = clientSecret;
        }

        return metadata;
    }

    private static string Start()
    {
        var script = Path.Combine(RepositoryRoot(), "tests", "oidc-provider", "provider.mjs");
        if (!Directory.Exists(Path.Combine(RepositoryRoot(), "tests", "oidc-provider", "node_modules", "oidc-provider")))
        {
            throw new InvalidOperationException("oidc-provider is not installed: run `npm ci --prefix tests/oidc-provider` (scripts/test.sh does).");
        }

        for (var attempt = 0; ; attempt++)
        {
            var port = FreeLoopbackPort.Find();
            var process = Process.Start(new ProcessStartInfo("node", [script, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
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
                throw new InvalidOperationException("The test OpenID Provider did not start listening on a loopback port.");
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

    [GeneratedRegex("<form method=\"post\" action=\"([^\"]+)\"")]
    private static partial Regex LoginAction();
}
