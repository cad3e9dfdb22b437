using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kastell.Server.Features.ApiAccess;
using Kastell.Server.Features.ApiAccess.ServiceAccounts;
using Kastell.Server.Features.ApiAccess.Tokens;
using Kastell.Server.Features.Organizations.Members;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Identity.Tokens;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.ApiAccess;

/// <summary>
/// API tokens end to end: created on the page after re-authentication and shown once, stored only as a hash, used
/// with curl's header, refused in every other case with the same 401 (missing, malformed, unknown, revoked, expired —
/// no hint which), never replaced by a session cookie; limited to their organization, their Spaces and their
/// permissions (and to what their subject holds at the time of use); every use audited with the token as the actor.
/// </summary>
public abstract partial class ApiTokenTests(KastellHost host) : ApiTestBase(host)
{

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PersonalToken_CreatedOnThePage_IsShownOnce_StoredHashed_AndListsFiles()
    {
        var owner = await OwnerAsync();
        await owner.Browser.GetAsync($"/o/{owner.User.OrganizationSlug}/api-tokens");
        var created = await owner.Browser.SubmitAsync($"/o/{owner.User.OrganizationSlug}/api-tokens", "create-token", new Dictionary<string, string>
        {
            ["token-name"] = "CI",
            ["token-days"] = "30",
            [TokenForm.PermissionField] = "file:can_read",
            ["token-password"] = owner.User.Password,
            ["token-code"] = TestBrowser.NextTotpCode(owner.User.TotpSecret),
        });
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var secret = TokenShown().Match(owner.Browser.LastPage!).Value;
        Assert.StartsWith(ApiTokenSecret.PersonalPrefix, secret);
        Assert.True(ApiTokenSecret.IsWellFormed(secret, out _));

        // Shown once: the list shows the hint only.
        await owner.Browser.GetAsync($"/o/{owner.User.OrganizationSlug}/api-tokens");
        Assert.DoesNotContain(secret, owner.Browser.LastPage!, StringComparison.Ordinal);
        Assert.Contains(ApiTokenSecret.Hint(secret), owner.Browser.LastPage!, StringComparison.Ordinal);
        var (scope, db) = Host.OpenDb();
        await using (scope)
        {
            var row = await db.Set<ApiToken>().SingleAsync(t => t.Hint == ApiTokenSecret.Hint(secret), Ct);
            Assert.Equal(ApiTokenSecret.Hash(secret), row.SecretHash);
            Assert.DoesNotContain(secret[16..], JsonSerializer.Serialize(row), StringComparison.Ordinal);
        }

        await Tenants.StoreFileAsync(Host, owner.OrganizationId, owner.SpaceId, "nachweis.txt", "nachweis"u8.ToArray());
        using var api = Api(secret);
        var list = await api.GetAsync(owner.FilesPath, Ct);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        using var json = JsonDocument.Parse(await list.Content.ReadAsStringAsync(Ct));
        Assert.Equal("nachweis.txt", Assert.Single(json.RootElement.GetProperty("items").EnumerateArray()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task CreatingAToken_WithAWrongCode_IsRefused_AndStoresNothing()
    {
        var owner = await OwnerAsync();
        await owner.Browser.GetAsync($"/o/{owner.User.OrganizationSlug}/api-tokens");
        await owner.Browser.SubmitAsync($"/o/{owner.User.OrganizationSlug}/api-tokens", "create-token", new Dictionary<string, string>
        {
            ["token-name"] = "CI",
            ["token-days"] = "30",
            [TokenForm.PermissionField] = "file:can_read",
            ["token-password"] = owner.User.Password,
            ["token-code"] = TestBrowser.WrongTotpCode(owner.User.TotpSecret),
        });
        Assert.DoesNotMatch(TokenShown(), owner.Browser.LastPage!);
        Assert.Contains("The password or the code is not correct.", owner.Browser.LastPage!, StringComparison.Ordinal);
        Assert.Equal(0, await CountTokensAsync(owner.OrganizationId));
    }

    [Fact]
    public async Task WithoutAToken_AndWithASessionCookieOnly_TheApiAnswers401ProblemDetails()
    {
        var owner = await OwnerAsync();
        using var anonymous = Anonymous();
        var none = await anonymous.GetAsync(owner.FilesPath, Ct);
        await AssertProblemAsync(none, HttpStatusCode.Unauthorized, "api.unauthenticated");
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);

        // The signed-in browser carries its session and antiforgery cookies: the API does not read them.
        var cookieOnly = await owner.Browser.Client.GetAsync(owner.FilesPath, Ct);
        await AssertProblemAsync(cookieOnly, HttpStatusCode.Unauthorized, "api.unauthenticated");
        using var content = new ByteArrayContent("x"u8.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var cookiePost = await owner.Browser.Client.PostAsync(owner.FilesPath + "?name=x.txt", content, Ct);
        await AssertProblemAsync(cookiePost, HttpStatusCode.Unauthorized, "api.unauthenticated");
        Assert.Equal(0, await CountFilesAsync(owner));
    }

    [Fact]
    public async Task MalformedUnknownRevokedAndExpiredTokens_AllGetTheSame401()
    {
        var owner = await OwnerAsync();
        var revoked = await CreateTokenAsync(owner, ["file:can_read"]);
        var expired = await CreateTokenAsync(owner, ["file:can_read"]);
        Assert.Equal(HttpStatusCode.OK, (await Api(revoked.Secret).GetAsync(owner.FilesPath, Ct)).StatusCode);
        await using (var scope = Host.Services.GetRequiredService<TenantScopes>().Enter(owner.OrganizationId, AuditActor.System("test")))
        {
            Assert.True((await scope.Get<RevokeApiTokenCommand>().ExecuteAsync(revoked.Id, null, AuditActor.System("test"), Ct)).Succeeded);
            await scope.Db.Set<ApiToken>().Where(t => t.Id == expired.Id).ExecuteUpdateAsync(u => u.SetProperty(t => t.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1)), Ct);
        }

        var mark = await AuditWatermark.TakeAsync(Host);
        var bodies = new List<string>();
        foreach (var token in new[] { "not-a-token", ApiTokenSecret.Create(ApiTokenKind.Personal), revoked.Secret[..^1] + (revoked.Secret[^1] == 'a' ? 'b' : 'a'), revoked.Secret, expired.Secret })
        {
            var response = await Api(token).GetAsync(owner.FilesPath, Ct);
            await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "api.unauthenticated");
            bodies.Add(await response.Content.ReadAsStringAsync(Ct));
        }

        Assert.Single(bodies.Select(b => Regex.Replace(b, "\"traceId\":\"[^\"]*\"", "")).Distinct());
        // The revoked and the expired token in use are recorded on their organization's chain; the look-alikes are not.
        var refusals = (await mark.NewEventsAsync()).Where(e => e.Type == ApiTokenEvents.ApiTokenRefused).ToList();
        Assert.Equal(2, refusals.Count);
        Assert.All(refusals, e => Assert.Equal(owner.OrganizationId, e.OrganizationId));
        Assert.Contains(refusals, e => e.ActorId == revoked.Id.ToString() && e.Details!.Contains("revoked", StringComparison.Ordinal));
        Assert.Contains(refusals, e => e.ActorId == expired.Id.ToString() && e.Details!.Contains("expired", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RevocationOnThePage_TakesEffectOnTheNextRequest()
    {
        var owner = await OwnerAsync();
        var token = await CreateTokenAsync(owner, ["file:can_read"]);
        using var api = Api(token.Secret);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(owner.FilesPath, Ct)).StatusCode);
        await owner.Browser.GetAsync("/account/api-tokens");
        Assert.Equal(HttpStatusCode.OK, (await owner.Browser.SubmitAsync("/account/api-tokens", "revoke-" + token.Id, new Dictionary<string, string>())).StatusCode);
        await AssertProblemAsync(await api.GetAsync(owner.FilesPath, Ct), HttpStatusCode.Unauthorized, "api.unauthenticated");
    }

    [Fact]
    public async Task ATokenInTheQueryString_IsRefused_WithoutBeingUsed()
    {
        var owner = await OwnerAsync();
        var token = await CreateTokenAsync(owner, ["file:can_read"]);
        using var anonymous = Anonymous();
        var mark = await AuditWatermark.TakeAsync(Host);
        var response = await anonymous.GetAsync($"{owner.FilesPath}?access_token={token.Secret}", Ct);
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "api.token-in-query");
        Assert.DoesNotContain(await mark.NewEventsAsync(), e => e.Type == ApiTokenEvents.ApiTokenUsed);
    }

    [Fact]
    public async Task EveryUse_IsAudited_WithTheTokenAsTheActor()
    {
        var owner = await OwnerAsync();
        var token = await CreateTokenAsync(owner, ["file:can_read"]);
        var mark = await AuditWatermark.TakeAsync(Host);
        Assert.Equal(HttpStatusCode.OK, (await Api(token.Secret).GetAsync(owner.FilesPath, Ct)).StatusCode);
        var used = Assert.Single(await mark.NewEventsAsync(), e => e.Type == ApiTokenEvents.ApiTokenUsed);
        Assert.Equal(AuditActorKind.ApiToken, used.ActorKind);
        Assert.Equal(token.Id.ToString(), used.ActorId);
        Assert.Equal(owner.OrganizationId, used.OrganizationId);
        Assert.Contains("\"endpoint\":\"ApiListFiles\"", used.Details, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"200\"", used.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AToken_OfAnotherOrganization_GetsTheSame404_EvenWhereItsOwnerIsAMember()
    {
        var owner = await OwnerAsync();
        var other = await OwnerAsync();
        // The first owner is a member of the second organization too, with a role in its Space.
        await Tenants.AddMemberAsync(Host, other.OrganizationId, owner.User.Email, OrganizationRole.Admin, (other.SpaceId, SpaceRole.Manager));
        var token = await CreateTokenAsync(owner, ["file:can_read"]);
        using var api = Api(token.Secret);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(owner.FilesPath, Ct)).StatusCode);
        await AssertProblemAsync(await api.GetAsync(other.FilesPath, Ct), HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await api.GetAsync($"/api/v1/o/{other.User.OrganizationSlug}", Ct), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task AToken_LimitedToOneSpace_DoesNotReachAnother()
    {
        var owner = await OwnerAsync();
        var second = await Tenants.CreateSpaceAsync(Host, owner.Browser, owner.User.OrganizationSlug, "Zweiter");
        var file = await Tenants.StoreFileAsync(Host, owner.OrganizationId, second, "geheim.txt", "geheim"u8.ToArray());
        var token = await CreateTokenAsync(owner, ["file:can_read"], [owner.SpaceId]);
        using var api = Api(token.Secret);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(owner.FilesPath, Ct)).StatusCode);
        var secondFiles = $"/api/v1/o/{owner.User.OrganizationSlug}/s/zweiter/files";
        await AssertProblemAsync(await api.GetAsync(secondFiles, Ct), HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await api.GetAsync($"{secondFiles}/{file.Id}/content", Ct), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task AToken_WithoutThePermission_IsRefused_AndNothingChanges()
    {
        var owner = await OwnerAsync();
        var token = await CreateTokenAsync(owner, ["file:can_read"]);
        using var content = new ByteArrayContent("Hallo"u8.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        await AssertProblemAsync(await Api(token.Secret).PostAsync(owner.FilesPath + "?name=x.txt", content, Ct), HttpStatusCode.Forbidden, "not-allowed");
        Assert.Equal(0, await CountFilesAsync(owner));
    }

    [Fact]
    public async Task AToken_CannotCarryWhatItsOwnerLacks_AndLosesWhatTheOwnerLoses()
    {
        var owner = await OwnerAsync();
        using var browser = Host.CreateBrowser();
        var viewer = await Journeys.SignUpAndEnrolAsync(browser);
        await Tenants.AddMemberAsync(Host, owner.OrganizationId, viewer.Email, OrganizationRole.Member, (owner.SpaceId, SpaceRole.Viewer));
        var viewerId = await Tenants.UserIdAsync(Host, viewer.Email);

        var refused = await CreateTokenForAsync(owner.OrganizationId, ApiTokenKind.Personal, viewerId, ["space:can_upload"]);
        Assert.Equal("token.permission-not-held", refused.Failure?.Code);

        // An editor's upload token stops uploading when the editor becomes a viewer: the subject is checked on use.
        var editorToken = await CreateTokenAsync(owner, ["space:can_upload"]);
        await using (var scope = Host.Services.GetRequiredService<TenantScopes>().Enter(owner.OrganizationId, AuditActor.System("test")))
        {
            var relations = scope.Get<Kastell.Server.Platform.Authorization.RelationshipWriter>();
            var ownerObject = Kastell.Server.Platform.Authorization.Permissions.Object("organization", owner.OrganizationId);
            var ownerId = await Tenants.UserIdAsync(Host, owner.User.Email);
            // A second owner keeps the organization owned; the first becomes a plain member with no Space role.
            await relations.RevokeAsync(ownerObject, "owner", Kastell.Server.Platform.Authorization.Permissions.User(ownerId), Ct);
            await relations.RevokeAsync(Kastell.Server.Platform.Authorization.Permissions.Object("space", owner.SpaceId), "manager", Kastell.Server.Platform.Authorization.Permissions.User(ownerId), Ct);
            await relations.GrantAsync(ownerObject, "member", Kastell.Server.Platform.Authorization.Permissions.User(ownerId), Ct);
            await scope.Db.SaveChangesAsync(Ct);
        }

        using var content = new ByteArrayContent("Hallo"u8.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var upload = await Api(editorToken.Secret).PostAsync(owner.FilesPath + "?name=x.txt", content, Ct);
        Assert.Equal(HttpStatusCode.NotFound, upload.StatusCode); // the member no longer even reads the Space
        Assert.Equal(0, await CountFilesAsync(owner));
    }

    [Fact]
    public async Task AServiceAccount_ActsThroughItsToken_WithItsOwnRoles()
    {
        var owner = await OwnerAsync();
        var second = await Tenants.CreateSpaceAsync(Host, owner.Browser, owner.User.OrganizationSlug, "Andere");
        Guid account;
        await using (var scope = Host.Services.GetRequiredService<TenantScopes>().Enter(owner.OrganizationId, AuditActor.System("test")))
        {
            var commands = scope.Get<ServiceAccountCommands>();
            var created = await commands.CreateAsync("ci", OrganizationRole.Member, AuditActor.System("test"), Ct);
            account = created.Value!.Id;
            Assert.True((await commands.GrantSpaceRoleAsync(account, owner.SpaceId, SpaceRole.Editor, AuditActor.System("test"), Ct)).Succeeded);
            Assert.Equal("service-account.role-invalid", (await commands.CreateAsync("root", OrganizationRole.Owner, AuditActor.System("test"), Ct)).Failure?.Code);
        }

        var token = await CreateTokenForAsync(owner.OrganizationId, ApiTokenKind.ServiceAccount, account, ["space:can_upload", "file:can_read"]);
        Assert.StartsWith(ApiTokenSecret.ServiceAccountPrefix, token.Value!.Secret);
        using var api = Api(token.Value.Secret);
        using var content = new ByteArrayContent("Nachweis aus der CI"u8.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var upload = await api.PostAsync(owner.FilesPath + "?name=ci.txt", content, Ct);
        Assert.True(upload.StatusCode is HttpStatusCode.Created or HttpStatusCode.Accepted, $"{upload.StatusCode}: {await upload.Content.ReadAsStringAsync(Ct)}");
        Assert.Equal(1, await CountFilesAsync(owner));
        // No role in the other Space: it does not exist for this account.
        await AssertProblemAsync(await api.GetAsync($"/api/v1/o/{owner.User.OrganizationSlug}/s/andere/files", Ct), HttpStatusCode.NotFound, "not-found");

        // Disabling the account revokes its tokens at once.
        await using (var scope = Host.Services.GetRequiredService<TenantScopes>().Enter(owner.OrganizationId, AuditActor.System("test")))
        {
            Assert.True((await scope.Get<ServiceAccountCommands>().DisableAsync(account, AuditActor.System("test"), Ct)).Succeeded);
        }

        await AssertProblemAsync(await api.GetAsync(owner.FilesPath, Ct), HttpStatusCode.Unauthorized, "api.unauthenticated");
        _ = second;
    }

    [Fact]
    public async Task AServiceAccount_CannotInvite_InvitationsGoOutInAPersonsConfirmedName()
    {
        var owner = await OwnerAsync();
        Guid account;
        await using (var scope = Host.Services.GetRequiredService<TenantScopes>().Enter(owner.OrganizationId, AuditActor.System("test")))
        {
            account = (await scope.Get<ServiceAccountCommands>().CreateAsync("hr-sync", OrganizationRole.Admin, AuditActor.System("test"), Ct)).Value!.Id;
        }

        var token = await CreateTokenForAsync(owner.OrganizationId, ApiTokenKind.ServiceAccount, account, ["organization:can_manage_members"]);
        using var api = Api(token.Value!.Secret);
        using var body = new StringContent($"{{\"email\":\"{Journeys.UniqueEmail("robot-invited")}\",\"role\":\"member\"}}", System.Text.Encoding.UTF8, "application/json");
        var refused = await api.PostAsync($"/api/v1/o/{owner.User.OrganizationSlug}/invitations", body, Ct);
        await AssertProblemAsync(refused, HttpStatusCode.Forbidden, "invitation.inviter-unconfirmed");
        var (scope2, db) = Host.OpenDb(owner.OrganizationId);
        await using (scope2)
        {
            Assert.Equal(0, await db.Invitations.CountAsync(Ct));
        }
    }

    [GeneratedRegex("kastell_pat_[0-9A-Za-z]{49}")]
    private static partial Regex TokenShown();
}

public sealed class ApiTokenTestsOnSqlite(SqliteHost host) : ApiTokenTests(host), IClassFixture<SqliteHost>;

public sealed class ApiTokenTestsOnPostgres(PostgresHost host) : ApiTokenTests(host), IClassFixture<PostgresHost>;
