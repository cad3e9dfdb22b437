using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kastell.Server.Features.ApiAccess;
using Kastell.Server.Features.ApiAccess.ServiceAccounts;
using Kastell.Server.Features.ApiAccess.Tokens;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Identity.Tokens;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.ApiAccess;

/// <summary>What the API tests share: an owner with an organization and a Space, tokens made by the command, clients with a token, problem assertions.</summary>
public abstract class ApiTestBase(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected KastellHost Host => host;

    internal sealed record Owner(EnrolledUser User, TestBrowser Browser, Guid OrganizationId, Guid SpaceId)
    {
        public string FilesPath => $"/api/v1/o/{User.OrganizationSlug}/s/akten/files";
    }

    internal async Task<Owner> OwnerAsync()
    {
        var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        var organization = await Tenants.OrganizationIdAsync(host, user.OrganizationSlug);
        var space = await Tenants.CreateSpaceAsync(host, browser, user.OrganizationSlug, "Akten");
        return new Owner(user, browser, organization, space);
    }

    internal async Task<CreatedToken> CreateTokenAsync(Owner owner, string[] permissions, Guid[]? spaces = null)
    {
        var result = await CreateTokenForAsync(owner.OrganizationId, ApiTokenKind.Personal, await Tenants.UserIdAsync(host, owner.User.Email), permissions, spaces);
        Assert.Null(result.Failure);
        return result.Value!;
    }

    internal async Task<Kastell.Server.Platform.Http.Result<CreatedToken>> CreateTokenForAsync(Guid organization, ApiTokenKind kind, Guid subject, string[] permissions, Guid[]? spaces = null)
    {
        await using var scope = host.Services.GetRequiredService<TenantScopes>().Enter(organization, AuditActor.System("test"));
        return await scope.Get<CreateApiTokenCommand>().ExecuteAsync(new TokenRequest(kind, subject, "test", 30, permissions, spaces ?? []), AuditActor.System("test"), Ct);
    }

    internal HttpClient Anonymous() =>
        host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });

    internal HttpClient Api(string token)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + token);
        return client;
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode} instead of {(int)status}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(code, json.RootElement.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("title").GetString()));
    }

    internal async Task<int> CountTokensAsync(Guid organization)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            return await db.Set<ApiToken>().CountAsync(t => t.OrganizationId == organization, Ct);
        }
    }

    internal async Task<int> CountFilesAsync(Owner owner)
    {
        var (scope, db) = host.OpenDb(owner.OrganizationId);
        await using (scope)
        {
            return await db.StoredObjects.CountAsync(o => o.SpaceId == owner.SpaceId, Ct);
        }
    }
}
