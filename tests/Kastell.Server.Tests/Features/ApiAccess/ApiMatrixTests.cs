using System.Net;
using System.Text;
using Kastell.Server.Features.Organizations.Members;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Identity.Tokens;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.Organizations;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.ApiAccess;

/// <summary>
/// The cross-tenant attack matrix with token actors, over every /api/v1 tenant endpoint found in the endpoint data
/// source (a new endpoint is covered without editing this test): no token, the owner's session cookie alone, a revoked
/// and an expired token (401 alike), a token of another organization (404), a token limited to another Space (404 on
/// Space routes), a token without the permission (403, or 404 where the endpoint hides itself), and a plain member's
/// token on the organization's administrative endpoints (refused). Every request is well-formed (a valid body, an
/// If-Match of *), so a refusal is the caller's, not the input's; afterwards nothing of the victim's has changed.
/// </summary>
public abstract class ApiMatrixTests(KastellHost host) : ApiTestBase(host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Everything =
    [
        "organization:can_create_space", "organization:can_manage_members", "organization:can_manage_password_policy",
        "organization:can_read_audit", "organization:can_manage_audit_retention", "organization:can_manage_teams", "space:can_upload", "file:can_read", "file:can_delete",
        "team:can_read", "team:can_manage", "space:can_read_controls", "space:can_edit_controls", "space:can_adopt_frameworks",
    ];

    [Fact]
    public async Task EveryApiEndpoint_RefusesEveryWrongCaller_AndNothingChanges()
    {
        var victim = await OwnerAsync();
        var attacker = await OwnerAsync();
        var slug = victim.User.OrganizationSlug;
        var nextDoor = await Tenants.CreateSpaceAsync(Host, victim.Browser, slug, "Nebenan");
        var file = await Tenants.StoreFileAsync(Host, victim.OrganizationId, victim.SpaceId, "ziel.txt", "ziel"u8.ToArray());
        var asset = await Assets.AssetsData.CreateAsync(Host, victim.OrganizationId, victim.SpaceId, await Tenants.UserIdAsync(Host, victim.User.Email), "Ziel-Asset");
        var framework = await Controls.ControlsData.ImportAsync(Host, slug, "Matrix norm", "1", ("m-1", "Matrix"));
        await Controls.ControlsData.AdoptAsync(Host, victim.OrganizationId, victim.SpaceId, await Tenants.UserIdAsync(Host, victim.User.Email), framework);
        var control = await Controls.ControlsData.CreateControlAsync(Host, victim.OrganizationId, victim.SpaceId, await Tenants.UserIdAsync(Host, victim.User.Email), "Ziel-Maßnahme");
        // A framework of the library the Space does not adopt yet: what an attack would adopt.
        var spare = await Controls.ControlsData.ImportAsync(Host, slug, "Matrix spare", "1", ("s-1", "Spare"));
        Assert.Equal(HttpStatusCode.OK, (await InvitationTests.InviteAsync(victim.Browser, slug, Journeys.UniqueEmail("target"), OrganizationRole.Member)).StatusCode);
        using var memberBrowser = Host.CreateBrowser();
        var member = await Journeys.SignUpAndEnrolAsync(memberBrowser);
        await Tenants.AddMemberAsync(Host, victim.OrganizationId, member.Email, OrganizationRole.Member, (victim.SpaceId, SpaceRole.Viewer));
        var memberId = await Tenants.UserIdAsync(Host, member.Email);
        var team = await Tenants.CreateTeamAsync(Host, victim.OrganizationId, "Ziel-Team");
        await Tenants.AddToTeamAsync(Host, victim.OrganizationId, team, Subject.Person(memberId));
        // What an attack would add to the team (a member of the organization, not yet in it) and remove from it.
        var newTeamMember = Subject.Person(await Tenants.UserIdAsync(Host, victim.User.Email)).ToString();
        Guid invitation;
        Guid requirement;
        var (scope, db) = Host.OpenDb(victim.OrganizationId);
        await using (scope)
        {
            invitation = await db.Invitations.Select(i => i.Id).SingleAsync(Ct);
            // The adopted framework's requirement: a real line of the statement (and a requirement a control could answer).
            requirement = await db.Set<Kastell.Server.Features.Frameworks.Requirement>().Where(r => r.ControlId == "m-1").Select(r => r.Id).SingleAsync(Ct);
        }

        var revoked = await CreateTokenAsync(victim, Everything);
        var expired = await CreateTokenAsync(victim, Everything);
        await using (var tenantScope = Host.Services.GetRequiredService<TenantScopes>().Enter(victim.OrganizationId, AuditActor.System("test")))
        {
            await tenantScope.Db.Set<ApiToken>().Where(t => t.Id == revoked.Id).ExecuteUpdateAsync(u => u.SetProperty(t => t.RevokedAt, DateTimeOffset.UtcNow), Ct);
            await tenantScope.Db.Set<ApiToken>().Where(t => t.Id == expired.Id).ExecuteUpdateAsync(u => u.SetProperty(t => t.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(-1)), Ct);
        }

        var foreign = (await CreateTokenAsync(attacker, Everything)).Secret;
        var otherSpace = (await CreateTokenAsync(victim, ["space:can_upload", "file:can_read", "file:can_delete"], [nextDoor])).Secret;
        var bare = (await CreateTokenAsync(victim, ["organization:can_see_access"])).Secret;
        var memberToken = await CreateTokenForAsync(victim.OrganizationId, ApiTokenKind.Personal, memberId, ["file:can_read", "team:can_manage"]);
        var before = await DigestAsync(victim);

        var problems = new List<string>();
        var endpoints = TenantApiEndpoints().ToList();
        Assert.True(endpoints.Count >= 15, $"only {endpoints.Count} API endpoints found");
        foreach (var (method, endpoint) in endpoints)
        {
            var route = endpoint.RoutePattern.RawText!;
            var path = route.Replace("{org}", slug, StringComparison.Ordinal).Replace("{space}", "akten", StringComparison.Ordinal)
                .Replace("{id:guid}", (route.Contains("/invitations/", StringComparison.Ordinal) ? invitation
                    : route.Contains("/assets/", StringComparison.Ordinal) ? asset
                    : route.Contains("/teams/", StringComparison.Ordinal) ? team
                    : route.Contains("/controls/", StringComparison.Ordinal) ? control : file.Id).ToString(), StringComparison.Ordinal)
                .Replace("{member}", Subject.Person(memberId).ToString(), StringComparison.Ordinal)
                .Replace("{framework:guid}", framework.ToString(), StringComparison.Ordinal).Replace("{requirement:guid}", requirement.ToString(), StringComparison.Ordinal).TrimEnd('/');
            var required = endpoint.Metadata.GetOrderedMetadata<RequirePermissionAttribute>();
            var label = $"{method} {route}";

            async Task ExpectAsync(string who, HttpClient client, params HttpStatusCode[] expected)
            {
                using var response = await client.SendAsync(Request(method, path, newTeamMember, framework, spare), Ct);
                if (!expected.Contains(response.StatusCode))
                {
                    problems.Add($"{label} with {who}: {(int)response.StatusCode}, expected {string.Join(" or ", expected.Select(e => (int)e))}");
                }
                else if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    problems.Add($"{label} with {who}: {(int)response.StatusCode} without problem details");
                }
            }

            using (var anonymous = Anonymous())
            {
                await ExpectAsync("no token", anonymous, HttpStatusCode.Unauthorized);
            }

            await ExpectAsync("the session cookie only", victim.Browser.Client, HttpStatusCode.Unauthorized);
            using (var api = Api(revoked.Secret))
            {
                await ExpectAsync("a revoked token", api, HttpStatusCode.Unauthorized);
            }

            using (var api = Api(expired.Secret))
            {
                await ExpectAsync("an expired token", api, HttpStatusCode.Unauthorized);
            }

            using (var api = Api(foreign))
            {
                await ExpectAsync("another organization's token", api, HttpStatusCode.NotFound);
            }

            if (route.Contains("/s/{space}", StringComparison.Ordinal))
            {
                using var api = Api(otherSpace);
                await ExpectAsync("a token limited to another Space", api, HttpStatusCode.NotFound);
            }

            if (required.Any(r => !ApiTokenReach.IsEntry(r.ObjectType, r.Permission)))
            {
                using (var api = Api(bare))
                {
                    await ExpectAsync("a token without the permission", api, HttpStatusCode.Forbidden, HttpStatusCode.NotFound);
                }

                // The organization's administrative endpoints, and managing a team (the member's token carries
                // team:can_manage, which a plain member does not hold).
                if (required.Any(r => r.ObjectType == "organization" || (r.ObjectType == "team" && r.Permission == "can_manage")))
                {
                    using var api = Api(memberToken.Value!.Secret);
                    await ExpectAsync("a plain member's token", api, HttpStatusCode.Forbidden, HttpStatusCode.NotFound);
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.Equal(before, await DigestAsync(victim));
    }

    private IEnumerable<(string Method, RouteEndpoint Endpoint)> TenantApiEndpoints() =>
        from endpoint in Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
        where endpoint.RoutePattern.RawText?.StartsWith(TenantRoutes.ApiPrefix + "/o/", StringComparison.Ordinal) == true
        from method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []
        select (method, endpoint);

    /// <summary>A well-formed request: a body the endpoint accepts, and If-Match on updates.</summary>
    private static HttpRequestMessage Request(string method, string path, string newTeamMember, Guid framework, Guid spare)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (HttpMethods.IsPost(method) && path.EndsWith("/files", StringComparison.Ordinal))
        {
            request.RequestUri = new Uri(path + "?name=matrix.txt", UriKind.Relative);
            request.Content = new ByteArrayContent("matrix"u8.ToArray());
            request.Content.Headers.ContentType = new("application/octet-stream");
        }
        else if (HttpMethods.IsPost(method) && path.EndsWith("/assets/import", StringComparison.Ordinal))
        {
            // The body is the spreadsheet itself (a well-formed one: a refusal must not be its bad rows).
            request.Content = new ByteArrayContent("name,kind\nMatrix import,Data\n"u8.ToArray());
            request.Content.Headers.ContentType = new("text/csv");
        }
        else if (HttpMethods.IsPost(method) && path.EndsWith("/verify", StringComparison.Ordinal))
        {
            // An action without a body (verifying a domain claim).
        }
        else if (HttpMethods.IsPost(method) || HttpMethods.IsPut(method))
        {
            var body = path switch
            {
                _ when path.EndsWith("/spaces", StringComparison.Ordinal) => "{\"name\":\"Matrix\"}",
                _ when path.EndsWith("/invitations", StringComparison.Ordinal) => "{\"email\":\"matrix@example.test\",\"role\":\"admin\"}",
                _ when path.EndsWith("/password-policy", StringComparison.Ordinal) => "{\"minimumLength\":8,\"requireUppercase\":false,\"requireLowercase\":false,\"requireDigit\":false,\"requireSymbol\":false,\"historyLength\":0}",
                _ when path.EndsWith("/audit-retention", StringComparison.Ordinal) => "{\"days\":1}",
                _ when path.Contains("/assets", StringComparison.Ordinal) => "{\"name\":\"Matrix\",\"kind\":\"data\"}",
                _ when path.EndsWith("/frameworks", StringComparison.Ordinal) => $"{{\"framework\":\"{spare:D}\"}}",
                _ when path.Contains("/soa/", StringComparison.Ordinal) => "{\"applicable\":false,\"justification\":\"Matrix\"}",
                _ when path.EndsWith("/review", StringComparison.Ordinal) => "{\"decision\":\"accept\"}",
                _ when path.Contains("/evidence", StringComparison.Ordinal) => "{\"kind\":\"note\",\"title\":\"Matrix\",\"note\":\"x\",\"effectiveOn\":\"2026-11-30\"}",
                _ when path.EndsWith("/requirements", StringComparison.Ordinal) => $"{{\"framework\":\"{framework:D}\",\"requirement\":\"m-1\"}}",
                _ when path.Contains("/controls", StringComparison.Ordinal) => "{\"title\":\"Matrix\"}",
                _ when path.EndsWith("/domains", StringComparison.Ordinal) => "{\"name\":\"matrix-" + Guid.NewGuid().ToString("N")[..8] + ".example\"}",
                _ when path.EndsWith("/members", StringComparison.Ordinal) && path.Contains("/teams/", StringComparison.Ordinal) => "{\"member\":\"" + newTeamMember + "\"}",
                _ when path.Contains("/teams", StringComparison.Ordinal) => "{\"name\":\"Matrix\"}",
                _ => throw new InvalidOperationException($"No well-formed body for {method} {path}: add one to the matrix."),
            };
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            request.Headers.TryAddWithoutValidation("If-Match", "*");
        }

        return request;
    }

    /// <summary>
    /// What an attack could change: Spaces, files, open invitations, assets, teams with their members, controls and their
    /// answers, adopted frameworks, the statement of applicability, the password policy and the retention period.
    /// </summary>
    private async Task<string> DigestAsync(Owner victim)
    {
        var (scope, db) = Host.OpenDb(victim.OrganizationId);
        await using (scope)
        {
            var organization = await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == victim.OrganizationId, Ct);
            var spaces = string.Join(",", (await db.Spaces.Select(s => s.Slug).ToListAsync(Ct)).Order(StringComparer.Ordinal));
            var files = string.Join(",", (await db.StoredObjects.Select(o => o.Id).ToListAsync(Ct)).Order());
            var invitations = string.Join(",", (await db.Invitations.Where(i => i.RevokedAt == null).Select(i => i.Id).ToListAsync(Ct)).Order());
            var assets = string.Join(",", (await db.Set<Kastell.Server.Features.Assets.Asset>().Select(a => a.Id + " " + a.Name).ToListAsync(Ct)).Order(StringComparer.Ordinal));
            var teams = string.Join(",", (await db.Teams.Select(t => t.Id + " " + t.Name).ToListAsync(Ct)).Order(StringComparer.Ordinal));
            var teamMembers = string.Join(",", (await scope.ServiceProvider.GetRequiredService<RelationshipReader>().OfTypeAsync("team", "member", Ct))
                .Select(t => $"{t.Object}#{t.Relation}@{t.User}").Order(StringComparer.Ordinal));
            var controls = string.Join(",", (await db.Set<Kastell.Server.Features.Controls.Control>().Select(c => c.Id + " " + c.Title + " " + c.Status).ToListAsync(Ct)).Order(StringComparer.Ordinal));
            var answers = string.Join(",", (await db.Set<Kastell.Server.Features.Controls.ControlRequirement>().Select(l => l.ControlId + " " + l.RequirementId).ToListAsync(Ct)).Order(StringComparer.Ordinal));
            var adoptions = string.Join(",", (await db.Set<Kastell.Server.Features.Controls.Adoption.FrameworkAdoption>().AsNoTracking().ToListAsync(Ct)).Select(a => $"{a.Id} {a.FrameworkId} {a.EndedAt:O}").Order(StringComparer.Ordinal));
            var statement = string.Join(",", (await db.Set<Kastell.Server.Features.Controls.Applicability.ApplicabilityEntry>().AsNoTracking().ToListAsync(Ct)).Select(e => $"{e.RequirementId} {e.Applicable} {e.Justification} {e.UpdatedAt:O}").Order(StringComparer.Ordinal));
            return $"{spaces}|{files}|{invitations}|{assets}|{teams}|{teamMembers}|{controls}|{answers}|{adoptions}|{statement}|{organization.PasswordPolicy.MinimumLength}/{organization.PasswordPolicy.HistoryLength}|{organization.AuditRetentionDays}";
        }
    }
}

public sealed class ApiMatrixTestsOnSqlite(SqliteHost host) : ApiMatrixTests(host), IClassFixture<SqliteHost>;

public sealed class ApiMatrixTestsOnPostgres(PostgresHost host) : ApiMatrixTests(host), IClassFixture<PostgresHost>;
