using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using Kastell.Server.Features.Organizations.Members;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.Organizations;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Platform.Http;

/// <summary>
/// No input makes Kastell answer 5xx. Every endpoint and page, enumerated from the endpoint data source, is sent
/// missing and wrong antiforgery tokens, control characters (in query values such as <c>returnUrl</c>, in route
/// values and in every field of every form), oversize fields and bodies, too many fields, wrong methods and wrong
/// content types — once by a signed-in owner who chose German (culture cookie and <c>Accept-Language</c>), once by an
/// anonymous visitor who named no language. Every answer must be below 500, and an error must be a page in the
/// visitor's language — not the other language, not an empty status, not a raw error document.
/// </summary>
public abstract class MalformedInputTests(KastellHost host)
{
    /// <summary>Control characters, C1, a line break and a right-to-left override, percent-encoded.</summary>
    private const string Junk = "%00%01%0D%0A%1B%7F%C2%85%E2%80%AE";

    /// <summary>
    /// <see cref="Junk"/> without NUL, for paths: the in-memory test server's client refuses a NUL in a path before
    /// it reaches Kastell (Kestrel answers such a request line 400 itself; <see cref="ErrorAnswerTests"/> sends one).
    /// </summary>
    private const string PathJunk = "%01%0D%0A%1B%7F%C2%85%E2%80%AE";
    private const string JunkText = "\0\u0001\r\n\u001b\u007f\u0085\u202e<script>";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Query names worth a malformed value on every GET, besides the ones each page declares.</summary>
    private static readonly string[] CommonQueryNames = ["returnUrl", "ReturnUrl", "code", "userId", "token", "page", "id"];

    [Theory]
    [InlineData("de", true)]
    [InlineData("en", false)]
    public async Task EveryEndpointAndPage_AnswersMalformedInputBelow500_WithAPageInTheUsersLanguage(string language, bool signedIn)
    {
        var world = await World.CreateAsync(host, language, signedIn);
        var endpoints = (await AppEndpoint.DiscoverAsync(host)).DistinctBy(e => e.Route)
            // Endpoints that end the session or delete what the others need go last.
            .OrderBy(e => e.Route.Contains("sign-out", StringComparison.Ordinal) || e.Route.Contains("delete", StringComparison.Ordinal))
            .ToList();
        var problems = new List<string>();
        var requests = 0;

        async Task SendAsync(string what, HttpRequestMessage request)
        {
            requests++;
            if (language == "de")
            {
                request.Headers.AcceptLanguage.ParseAdd("de-DE");
            }

            HttpResponseMessage response;
            try
            {
                response = await world.Visitor.Client.SendAsync(request, Ct);
            }
            catch (Exception crash) when (crash is not OperationCanceledException)
            {
                // The in-memory server passes on what even the error page could not handle: in production a 500.
                problems.Add($"{what}: crashed the server: {crash.GetType().Name}: {crash.Message}");
                return;
            }

            using (response)
            {
                var body = await response.Content.ReadAsStringAsync(Ct);
                var status = (int)response.StatusCode;
                var type = response.Content.Headers.ContentType?.MediaType ?? "";
                if (status >= 500)
                {
                    problems.Add($"{what}: {status}");
                }
                else if (status >= 400 && type == "text/html" && !body.Contains($"<html lang=\"{language}\"", StringComparison.Ordinal))
                {
                    problems.Add($"{what}: {status} as a page that is not in '{language}': {TitleOf(body)}");
                }
                else if (status >= 400 && type == "text/html" && !body.Contains("<h1>", StringComparison.Ordinal))
                {
                    problems.Add($"{what}: {status} as a page without a heading: {TitleOf(body)}");
                }
                else if (status >= 400 && type != "text/html" && !(type == "application/problem+json" && (request.RequestUri!.IsAbsoluteUri ? request.RequestUri.AbsolutePath : request.RequestUri.OriginalString).StartsWith("/api/", StringComparison.Ordinal)))
                {
                    problems.Add($"{what}: {status} as '{type}' ({body.Length} bytes), not a page");
                }
            }
        }

        foreach (var endpoint in endpoints)
        {
            await world.EnsureSignedInAsync();
            var values = world.RouteValues(endpoint);
            var path = endpoint.Path(values);

            // Route values with control characters (a {guid} constraint refuses them before any code runs).
            foreach (var name in endpoint.Pattern.Parameters.Select(p => p.Name).Where(n => !endpoint.Pattern.GetParameter(n)!.ParameterPolicies.Any()))
            {
                var junkPath = endpoint.Path(new Dictionary<string, string>(values, StringComparer.OrdinalIgnoreCase) { [name] = PathJunk });
                await SendAsync($"GET {junkPath}", new HttpRequestMessage(HttpMethod.Get, junkPath));
            }

            if (endpoint.AcceptsGet)
            {
                foreach (var query in QueryNames(endpoint))
                {
                    foreach (var value in new[] { Junk, "x", "-1", "99999999999999999999999", "true%00", new string('a', 4000) })
                    {
                        var url = $"{path}?{query}={value}";
                        await SendAsync($"GET {path}?{query}={Shorten(value)}", new HttpRequestMessage(HttpMethod.Get, url));
                    }
                }
            }

            foreach (var method in new[] { HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch, new HttpMethod("PROPFIND") })
            {
                await SendAsync($"{method} {path}", new HttpRequestMessage(method, path) { Content = new StringContent("x") });
            }

            if (!endpoint.AcceptsPost)
            {
                if (!endpoint.AcceptsGet)
                {
                    await SendAsync($"POST {path} (not accepted)", Post(path, Form([])));
                }

                continue;
            }

            var token = await world.TokenAsync();
            foreach (var form in endpoint.FormNames.DefaultIfEmpty(""))
            {
                var fields = FieldsOf(endpoint, form);
                var name = $"POST {path} (form '{form}')";
                await SendAsync($"{name} without a token", Post(path, Form(Handler(form))));
                await SendAsync($"{name} with a wrong token", Post(path, Form([.. Handler(form), new("__RequestVerificationToken", "CfDJ8" + new string('A', 120))])));
                await SendAsync($"{name} with a token from another form", Post(path, Form([.. Handler(form), new("__RequestVerificationToken", token[..^4] + "AAAA")])));
                await SendAsync($"{name} with control characters in every field", Post($"{path}?returnUrl={Junk}", Form([.. Handler(form), new("__RequestVerificationToken", token), .. fields.Select(f => KeyValuePair.Create(f, JunkText)), new("returnUrl", JunkText)])));
                await SendAsync($"{name} with a 70 KB field", Post(path, Form([.. Handler(form), new("__RequestVerificationToken", token), .. fields.Take(1).DefaultIfEmpty("Input.Name").Select(f => KeyValuePair.Create(f, new string('x', 70 * 1024)))])));
                await SendAsync($"{name} with 500 fields", Post(path, Form([.. Handler(form), new("__RequestVerificationToken", token), .. Enumerable.Range(0, 500).Select(i => KeyValuePair.Create($"f{i}", "x"))])));
                await SendAsync($"{name} with a 2 MB body", Post(path, Form([.. Handler(form), new("__RequestVerificationToken", token), new("Input.Name", new string('x', 2 * 1024 * 1024))])));
                await SendAsync($"{name} as JSON", Post(path, new StringContent("{\"__RequestVerificationToken\":\"" + token + "\"}", Encoding.UTF8, "application/json")));
                await SendAsync($"{name} as text", Post(path, new StringContent("__RequestVerificationToken=" + token, Encoding.UTF8, "text/plain")));
                await SendAsync($"{name} as a broken multipart body", Post(path, BrokenMultipart()));
                await world.EnsureSignedInAsync();
                token = await world.TokenAsync();
            }
        }

        Assert.True(problems.Count == 0, $"{problems.Count} of {requests} requests:\n" + string.Join('\n', problems));
        Assert.True(requests > 1000, $"only {requests} requests: the endpoint discovery found too little");
        Assert.Contains(endpoints, e => e.Route == "/culture");
    }

    /// <summary>The page's declared query parameters and the common ones.</summary>
    private static IEnumerable<string> QueryNames(AppEndpoint endpoint) =>
        CommonQueryNames.Concat(endpoint.Page?.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Select(p => (Property: p, Attribute: p.GetCustomAttribute<SupplyParameterFromQueryAttribute>()))
            .Where(p => p.Attribute is not null)
            .Select(p => p.Attribute!.Name ?? p.Property.Name) ?? []).Distinct(StringComparer.OrdinalIgnoreCase);

    /// <summary>The fields of a page's form: <c>Prefix.Property</c> for each property of the bound model.</summary>
    private static List<string> FieldsOf(AppEndpoint endpoint, string form)
    {
        var bound = endpoint.Page?.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .FirstOrDefault(p => p.GetCustomAttribute<SupplyParameterFromFormAttribute>()?.FormName == form);
        if (bound is null)
        {
            return [];
        }

        var prefix = bound.GetCustomAttribute<SupplyParameterFromFormAttribute>()!.Name ?? bound.Name;
        return bound.PropertyType == typeof(string) || bound.PropertyType.IsValueType
            ? [prefix]
            : [.. bound.PropertyType.GetProperties().Where(p => p.CanWrite).Select(p => $"{prefix}.{p.Name}")];
    }

    private static KeyValuePair<string, string>[] Handler(string form) => form.Length == 0 ? [] : [new("_handler", form)];

    private static FormUrlEncodedContent Form(IEnumerable<KeyValuePair<string, string>> fields) => new(fields);

    private static HttpRequestMessage Post(string path, HttpContent content) => new(HttpMethod.Post, path) { Content = content };

    private static StringContent BrokenMultipart()
    {
        var content = new StringContent("--b\r\nContent-Disposition: form-data; name=\"__RequestVerificationToken\"\r\n\r\nx\r\n--b\r\n" + new string('h', 20000) + "\r\n", Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");
        return content;
    }

    private static string TitleOf(string page) =>
        System.Text.RegularExpressions.Regex.Match(page, "<html[^>]*>|<title>[^<]*</title>") is { Success: true } m ? m.Value + " " + System.Text.RegularExpressions.Regex.Match(page, "<title>[^<]*</title>").Value : Shorten(page);

    private static string Shorten(string value) => value.Length > 40 ? value[..20] + $"…({value.Length})" : value;

    /// <summary>
    /// An owner with an organization, a Space, a file and an invitation (a real target for every route value), and the
    /// visitor who sends the malformed requests: the owner, having switched to the language, or an anonymous browser.
    /// </summary>
    private sealed class World
    {
        private readonly KastellHost _host;
        private readonly string _language;
        private readonly bool _signedIn;
        private TestBrowser _owner = default!;
        private TestBrowser? _anonymous;
        private Guid _file;
        private Guid _invitation;
        private Guid _ownerId;

        private World(KastellHost host, string language, bool signedIn)
        {
            _host = host;
            _language = language;
            _signedIn = signedIn;
        }

        public TestBrowser Visitor => _anonymous ?? _owner;

        public EnrolledUser Owner { get; private set; } = default!;

        public string SpaceSlug => "junk";

        public static async Task<World> CreateAsync(KastellHost host, string language, bool signedIn)
        {
            var world = new World(host, language, signedIn);
            await world.SetUpAsync();
            return world;
        }

        public Dictionary<string, string> RouteValues(AppEndpoint endpoint) => new(StringComparer.OrdinalIgnoreCase)
        {
            ["org"] = Owner.OrganizationSlug,
            ["space"] = SpaceSlug,
            ["spaceSlug"] = SpaceSlug,
            ["id"] = (endpoint.Route.Contains("/invitations/", StringComparison.Ordinal) ? _invitation : _file).ToString(),
            ["userId"] = _ownerId.ToString(),
            ["framework"] = Guid.NewGuid().ToString(), // a statement of applicability that does not exist: its 404 page
            ["connection"] = Guid.NewGuid().ToString(), // an SSO connection that does not exist
            ["organization"] = Guid.NewGuid().ToString("N"), // the SAML ACS URL names the organization by id
            ["requirement"] = Guid.NewGuid().ToString(), // a requirement no control answers
            ["member"] = "user:" + Guid.NewGuid().ToString("D"),
            ["extension"] = "csv",
            ["path"] = "js/passkeys.js",
        };

        /// <summary>A fresh antiforgery token for the visitor (from the home page's layout forms).</summary>
        public async Task<string> TokenAsync()
        {
            await Visitor.GetAsync("/");
            return Visitor.AnyAntiforgeryToken();
        }

        /// <summary>An endpoint ended the owner's session or deleted the organization: start over with a new owner.</summary>
        public async Task EnsureSignedInAsync()
        {
            if ((await _owner.GetAsync($"/o/{Owner.OrganizationSlug}")).StatusCode != HttpStatusCode.OK)
            {
                _owner.Dispose();
                _anonymous?.Dispose();
                await SetUpAsync();
            }
        }

        private async Task SetUpAsync()
        {
            _owner = _host.CreateBrowser();
            Owner = await Journeys.SignUpAndEnrolAsync(_owner);
            var org = await Tenants.OrganizationIdAsync(_host, Owner.OrganizationSlug);
            _ownerId = await Tenants.UserIdAsync(_host, Owner.Email);
            var space = await Tenants.CreateSpaceAsync(_host, _owner, Owner.OrganizationSlug, "Junk");
            _file = (await Tenants.StoreFileAsync(_host, org, space, "datei.txt", "Inhalt"u8.ToArray())).Id;
            Assert.Equal(HttpStatusCode.OK, (await InvitationTests.InviteAsync(_owner, Owner.OrganizationSlug, Journeys.UniqueEmail("junk"), OrganizationRole.Member)).StatusCode);
            var (scope, db) = _host.OpenDb(org);
            await using (scope)
            {
                _invitation = await db.Invitations.Select(i => i.Id).FirstAsync(Ct);
            }

            if (!_signedIn)
            {
                _anonymous = _host.CreateBrowser();
                return;
            }

            // The language switch: a cookie and the profile, as a user who chose the language has them.
            await _owner.GetAsync("/");
            var switched = await _owner.PostAsync("/culture", new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = _owner.AnyAntiforgeryToken(),
                ["culture"] = _language,
                ["returnUrl"] = "/",
            });
            Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
        }
    }
}

public sealed class MalformedInputTestsOnSqlite(SqliteHost host) : MalformedInputTests(host), IClassFixture<SqliteHost>;

public sealed class MalformedInputTestsOnPostgres(PostgresHost host) : MalformedInputTests(host), IClassFixture<PostgresHost>;
