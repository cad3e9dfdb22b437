using System.Diagnostics;
using System.Net;
using Kastell.Server.Features.SingleSignOn;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Platform.Authorization.AttackMatrix;

/// <summary>
/// The cross-tenant attack matrix: every endpoint and page of the endpoint data source (nothing listed by hand), with
/// the victim tenant's real objects in its route (<see cref="RouteValueFiller"/>), query and form fields, tried by
/// every <see cref="Attacker"/> with GET and with every write method (multipart, carrying the attacker's own valid
/// antiforgery token, so authorization is what refuses). Each answer must be the refusal the rules give — sign-in for
/// the anonymous visitor, 404 where the object may not even be read (or the page is hidden), 403 where it may — never a
/// 5xx, never a text of the victim the attacker may not see (in the body or a header), and afterwards the victim's rows
/// are byte for byte unchanged, the victim's audit chain holds only the refusals, and every chain verifies.
/// Requests the model allows are sent too: reads are checked for leaks; a write fails the matrix (none of these
/// attackers may write anything of the victim's) and its effect shows in the digest.
/// </summary>
public abstract class AttackMatrixTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private enum Expected
    {
        SignIn,
        NotFound,
        Forbidden,
        BadRequest,
        Readable,
        Public,
    }

    [Fact]
    public async Task EveryEndpoint_RefusesEveryAttacker_LeaksNothing_AndChangesNothing()
    {
        var clock = Stopwatch.StartNew();
        var victim = await VictimTenant.CreateAsync(host);
        var attackers = await Attacker.ArrangeAsync(victim);
        try
        {
            var fillers = RouteValueFillers.Discover();
            var values = new Dictionary<RouteValueFiller, string>();
            foreach (var filler in fillers)
            {
                values[filler] = await filler.CreateAsync(victim);
            }

            var endpoints = host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
            var (requests, unclassified) = AttackPlan.Build(endpoints, new AttackPlan.Values(
                fillers, values, victim.OrganizationId, victim.Spaces.ToDictionary(s => s.Slug, s => s.Id), victim.FileId.ToString()));
            Assert.True(unclassified.Count == 0, "Endpoints the matrix cannot classify:\n" + string.Join('\n', unclassified));
            Assert.True(requests.Count(r => r.IsTenant) >= 10, $"only {requests.Count(r => r.IsTenant)} tenant requests: the discovery found too little");
            await AssertTheOwnerReachesEveryTenantReadAsync(victim, requests);
            var arranged = clock.Elapsed;

            var oracle = new AccessOracle(host, victim.OrganizationId);
            var attackerIds = attackers.Select(a => a.UserId).OfType<Guid>().ToList();
            var before = await VictimDigest.TakeAsync(host, victim.OrganizationId, attackerIds);
            var mark = await AuditWatermark.TakeAsync(host);

            var problems = new List<string>();
            var tried = new Dictionary<Expected, int>();
            var allowedWrites = new List<string>();
            foreach (var attacker in attackers)
            {
                var mine = requests.Where(r => !attacker.WritesOnly || r.IsWrite)
                    .OrderBy(r => r.IsTenant ? 0 : 1).ThenBy(r => r.IsWrite ? 1 : 0);
                foreach (var request in mine)
                {
                    var expected = await ExpectAsync(oracle, attacker, request);
                    if (expected == Expected.Readable && request.IsWrite)
                    {
                        // Sent all the same: what it changes shows in the digest below.
                        allowedWrites.Add($"[{attacker}] {request}");
                    }

                    tried[expected] = tried.GetValueOrDefault(expected) + 1;
                    problems.AddRange(await AttackAsync(oracle, victim, attacker, request, expected));
                }
            }

            var after = await VictimDigest.TakeAsync(host, victim.OrganizationId, attackerIds);
            var events = await mark.NewEventsAsync();
            var verification = await host.Services.GetRequiredService<AuditVerifier>().VerifyAsync(Ct);

            var total = tried.Values.Sum();
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"Attack matrix on {host.Provider}: {endpoints.Count} endpoints → {requests.Count} requests ({requests.Count(r => r.IsTenant)} under tenant routes) "
                + $"× {attackers.Count} attackers = {total} tried ({string.Join(", ", tried.OrderBy(t => t.Key).Select(t => $"{t.Value} {t.Key}"))}), "
                + $"{allowedWrites.Count} of them writes the model allows; arranged in {arranged.TotalSeconds:F1} s, all in {clock.Elapsed.TotalSeconds:F1} s.");
            // Everything that went wrong, in one message: which attack got through and what it did.
            var failures = new List<string>();
            if (problems.Count > 0)
            {
                failures.Add($"{problems.Count} of {total} attacks were not refused as the rules say:\n" + string.Join('\n', problems));
            }

            if (allowedWrites.Count > 0)
            {
                failures.Add("The model lets these attackers write (none of them should):\n" + string.Join('\n', allowedWrites));
            }

            if (VictimDigest.Changed(before, after) is { Count: > 0 } changed)
            {
                failures.Add("The victim's data changed in: " + string.Join(", ", changed));
            }

            var victimEvents = events.Where(e => e.OrganizationId == victim.OrganizationId).ToList();
            if (victimEvents.Count == 0)
            {
                failures.Add("No refusal was recorded on the victim's audit chain (its administrators should see the probing).");
            }

            // Besides refusals the chain may hold what its own members did: copies of their sign-in events (ADR 0017)
            // and allows of sensitive reads the model gives them (checked against the oracle above). The watermark settles
            // the copies, so the owner's own sign-ins before the attack are not among them.
            var memberIds = attackers.Where(a => a.IsVictimMember).Select(a => a.UserId.ToString()).ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (victimEvents
                .Where(e => e.Type != AuthorizationEvents.AuthorizationDenied)
                // Refusals of other kinds: a sign-in response posted to the victim's SAML ACS URL is refused and recorded there.
                .Where(e => !(e.Type == SingleSignOnEvents.SsoSignInRefused && e.Outcome == AuditOutcome.Failed))
                .Where(e => !(memberIds.Contains(e.ActorId ?? "") && (AuditEventCatalog.IsMemberSecurityEvent(e.Type) || e.Type == AuthorizationEvents.AuthorizationGranted)))
                .Select(e => e.Type.ToString()).Distinct().ToList() is { Count: > 0 } recorded)
            {
                failures.Add("The victim's audit chain got more than refusals: " + string.Join(", ", recorded));
            }

            if (!verification.IsIntact)
            {
                failures.Add($"{verification.Problems.Count} problems in the audit chains after the attack.");
            }

            Assert.True(failures.Count == 0, string.Join("\n\n", failures));
            Assert.True(await Tenants.FileExistsAsync(host, victim.OrganizationId, victim.FileId));
        }
        finally
        {
            foreach (var attacker in attackers)
            {
                attacker.Dispose();
            }

            victim.OwnerBrowser.Dispose();
        }
    }

    [Fact]
    public void ARouteParameterNoFillerAnswers_FailsTheMatrixLoudly()
    {
        var widgets = Endpoint("/o/{org}/widgets/{widget}", "GET", new RequirePermissionAttribute("organization", "can_read"));

        var (requests, unclassified) = AttackPlan.Build([widgets], PlantedValues());

        Assert.Empty(requests);
        var error = Assert.Single(unclassified);
        Assert.Contains("parameter 'widget' of /o/{org}/widgets/{widget}", error, StringComparison.Ordinal);
        Assert.Contains("'widgets/widget', 'widget'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AWriteThatDeclaresNothingBeyondReading_CannotBeClassified()
    {
        // As if RequirePermission("file", "can_delete") were dropped from the delete endpoint: the tenant's entry is all that is left.
        var undeclared = Endpoint("/o/{org}/s/{space}/files/{id:guid}/delete", "POST", new RequirePermissionAttribute("space", "can_read"));
        var declared = Endpoint("/o/{org}/s/{space}/files/{id:guid}/delete", "POST", new RequirePermissionAttribute("file", "can_delete"));

        var (_, unclassified) = AttackPlan.Build([undeclared], PlantedValues());
        var (requests, none) = AttackPlan.Build([declared], PlantedValues());

        Assert.Contains("declares no permission beyond reading", Assert.Single(unclassified), StringComparison.Ordinal);
        Assert.Empty(none);
        var request = Assert.Single(requests);
        Assert.Equal(["organization:can_read", "space:can_read", "file:can_delete"], request.Gates.Select(g => $"{g.ObjectType}:{g.Permission}"));
        Assert.Equal($"/o/victim/s/vault/files/{PlantedFile}/delete", request.Path);
    }

    private static readonly Guid PlantedFile = Guid.CreateVersion7();

    private static AttackPlan.Values PlantedValues()
    {
        var fillers = RouteValueFillers.Discover();
        var values = fillers.ToDictionary(f => f, f => f.Keys[0] switch
        {
            "org" => "victim",
            "space" => "vault",
            _ => PlantedFile.ToString(),
        });
        return new AttackPlan.Values(fillers, values, Guid.CreateVersion7(), new Dictionary<string, Guid> { ["vault"] = Guid.CreateVersion7() }, PlantedFile.ToString());
    }

    private static RouteEndpoint Endpoint(string route, string method, params object[] metadata) =>
        new(_ => Task.CompletedTask, RoutePatternFactory.Parse(route), 0,
            new EndpointMetadataCollection([new HttpMethodMetadata([method]), .. metadata]), "planted");

    /// <summary>What the rules say <paramref name="attacker"/> meets at <paramref name="request"/>: the first gate they fail decides.</summary>
    private static async Task<Expected> ExpectAsync(AccessOracle oracle, Attacker attacker, AttackRequest request)
    {
        if (attacker.UserId is null)
        {
            return request.RequiresSignIn ? Expected.SignIn : Expected.Public;
        }

        if (!request.IsTenant)
        {
            return Expected.Public; // the attacker's own account: nothing of the victim is named in the route
        }

        if (request.Path.StartsWith("/api/", StringComparison.Ordinal))
        {
            return Expected.SignIn; // a session cookie never authenticates the API (ADR 0019): 401; tokens are ApiMatrixTests'
        }

        foreach (var gate in request.Gates)
        {
            if (!await oracle.CanAsync(attacker.UserId, gate.ObjectType, gate.ObjectId, gate.Permission))
            {
                return gate.IsEntry || gate.Hidden || !await oracle.CanAsync(attacker.UserId, gate.ObjectType, gate.ObjectId, "can_read")
                    ? Expected.NotFound
                    : Expected.Forbidden;
            }
        }

        return request.IsFormlessPagePost ? Expected.BadRequest : Expected.Readable;
    }

    /// <summary>Sends the request as the attacker and lists what is wrong with the answer.</summary>
    private async Task<List<string>> AttackAsync(AccessOracle oracle, VictimTenant victim, Attacker attacker, AttackRequest request, Expected expected)
    {
        var problems = new List<string>();
        var (status, location, text, setsCookies, crash) = await SendAsync(attacker, request);
        var what = $"[{attacker}] {request}";
        if (crash is not null)
        {
            problems.Add($"{what}: the server crashed ({crash}); expected {expected}");
            return problems;
        }

        var fits = expected switch
        {
            Expected.SignIn => status == 302 && location?.StartsWith("/account/sign-in", StringComparison.Ordinal) == true
                || status == 401 && request.Path.StartsWith("/api/", StringComparison.Ordinal),
            Expected.NotFound => status == 404,
            Expected.Forbidden => status == 403,
            Expected.BadRequest => status == 400,
            Expected.Readable => status < 400,
            _ => status < 500,
        };
        if (!fits)
        {
            problems.Add($"{what}: answered {status}{(location is null ? "" : " → " + location)}, expected {expected}");
        }

        var refused = expected is Expected.SignIn or Expected.NotFound or Expected.Forbidden or Expected.BadRequest;
        foreach (var marker in victim.Markers)
        {
            if (text.Contains(marker.Text, StringComparison.Ordinal)
                && (refused || !await oracle.CanAsync(attacker.UserId, marker.ObjectType, marker.ObjectId, marker.Permission)))
            {
                problems.Add($"{what}: the answer ({status}) shows \"{marker.Text}\" of {marker.ObjectType}:{marker.ObjectId} without {marker.Permission}");
            }
        }

        // An endpoint of the attacker's own account may end their session (signing out): sign in again for the rest.
        if (!request.IsTenant && setsCookies && attacker.User is not null && !await attacker.IsSignedInAsync())
        {
            await attacker.SignInAgainAsync(host);
        }

        return problems;
    }

    private static async Task<(int Status, string? Location, string Text, bool SetsCookies, string? Crash)> SendAsync(Attacker attacker, AttackRequest request)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path + request.Query);
        if (request.IsWrite)
        {
            // The token first: the upload endpoint reads it from the first section before it looks at the file.
            var content = new MultipartFormDataContent { { new StringContent(attacker.Token), "__RequestVerificationToken" } };
            if (request.Form is not null)
            {
                content.Add(new StringContent(request.Form), PermissionMiddleware.FormHandlerField);
            }

            foreach (var (name, value) in request.Fields)
            {
                content.Add(new StringContent(value), name);
            }

            content.Add(new ByteArrayContent("planted by the attack matrix"u8.ToArray()), "File", "attack.txt");
            message.Content = content;
        }

        try
        {
            using var response = await attacker.Browser.Client.SendAsync(message, Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            var headers = string.Join('\n', response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(", ", h.Value)}"));
            return ((int)response.StatusCode, TestBrowser.LocationOf(response), headers + "\n\n" + body, response.Headers.Contains("Set-Cookie"), null);
        }
        catch (Exception crash) when (crash is not OperationCanceledException)
        {
            // The in-memory server passes on what the error page could not handle: in production a 500.
            return (500, null, "", false, crash.GetType().Name + ": " + crash.Message);
        }
    }

    /// <summary>
    /// The fillers' values are real: the victim's owner reaches every tenant page and read endpoint with them (a value
    /// that matched nothing would make every refusal below meaningless).
    /// </summary>
    private static async Task AssertTheOwnerReachesEveryTenantReadAsync(VictimTenant victim, List<AttackRequest> requests)
    {
        // The API never reads the session cookie (ADR 0019): its owner reach is the API matrix's, with tokens.
        foreach (var request in requests.Where(r => r.IsTenant && !r.IsWrite && !r.Path.StartsWith("/api/", StringComparison.Ordinal)))
        {
            var response = await victim.OwnerBrowser.Client.GetAsync(request.Path, Ct);
            Assert.True((int)response.StatusCode < 400, $"The victim's owner gets {(int)response.StatusCode} for GET {request.Path} ({request.Route}): a route value filler gives a value that reaches nothing.");
        }
    }
}

public sealed class AttackMatrixTestsOnSqlite(SqliteHost host) : AttackMatrixTests(host), IClassFixture<SqliteHost>;

public sealed class AttackMatrixTestsOnPostgres(PostgresHost host) : AttackMatrixTests(host), IClassFixture<PostgresHost>;
