using System.Net;
using Kastell.Server.Features.Accounts.Mfa;
using Kastell.Server.Features.Organizations;
using Kastell.Server.Features.Organizations.Members;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Storage;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.Organizations;
using Kastell.Server.Tests.Platform.Tenancy;
using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Platform.Tenancy;

/// <summary>
/// A Space is a wall inside an organization: a role in one Space opens that Space only, and a file of another Space
/// cannot be reached through the address of a Space one may enter. Black-box over HTTP, on each provider.
/// </summary>
public abstract class SpaceIsolationTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MemberOfOneSpace_GetsNotFound_OnAnotherSpaceOfTheOrganization()
    {
        using var ownerBrowser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(ownerBrowser);
        var org = await Tenants.OrganizationIdAsync(host, owner.OrganizationSlug);
        var alpha = await Tenants.CreateSpaceAsync(host, ownerBrowser, owner.OrganizationSlug, "Alpha");
        var beta = await Tenants.CreateSpaceAsync(host, ownerBrowser, owner.OrganizationSlug, "Beta");
        var betaFile = await Tenants.StoreFileAsync(host, org, beta, "beta.txt", "nur für Beta"u8.ToArray());
        using var memberBrowser = host.CreateBrowser();
        var member = await Journeys.SignUpAndEnrolAsync(memberBrowser);
        // A plain organization member (no organization-wide Space access) who edits Alpha.
        await Tenants.AddMemberAsync(host, org, member.Email, OrganizationRole.Member, (alpha, SpaceRole.Editor));

        // The role works where it was given: so the refusals below are about the Space, not a broken membership.
        Assert.Equal(HttpStatusCode.OK, (await memberBrowser.GetAsync($"/o/{owner.OrganizationSlug}/s/alpha")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await memberBrowser.GetAsync($"/o/{owner.OrganizationSlug}/s/alpha/files")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await memberBrowser.GetAsync($"/o/{owner.OrganizationSlug}/s/beta")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await memberBrowser.GetAsync($"/o/{owner.OrganizationSlug}/s/beta/files")).StatusCode);
        var download = await memberBrowser.Client.GetAsync($"/o/{owner.OrganizationSlug}/s/beta/files/{betaFile.Id}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, download.StatusCode);
        Assert.DoesNotContain("nur für Beta", await download.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_FileOfAnotherSpace_ThroughThisSpacesAddress_Is404AndTheFileStays()
    {
        using var ownerBrowser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(ownerBrowser);
        var org = await Tenants.OrganizationIdAsync(host, owner.OrganizationSlug);
        var alpha = await Tenants.CreateSpaceAsync(host, ownerBrowser, owner.OrganizationSlug, "Alpha");
        var beta = await Tenants.CreateSpaceAsync(host, ownerBrowser, owner.OrganizationSlug, "Beta");
        var alphaFile = await Tenants.StoreFileAsync(host, org, alpha, "alpha.txt", "Alpha"u8.ToArray());
        var betaFile = await Tenants.StoreFileAsync(host, org, beta, "beta.txt", "Beta"u8.ToArray());
        using var editorBrowser = host.CreateBrowser();
        var editor = await Journeys.SignUpAndEnrolAsync(editorBrowser);
        await Tenants.AddMemberAsync(host, org, editor.Email, OrganizationRole.Member, (alpha, SpaceRole.Editor));
        var alphaFiles = $"/o/{owner.OrganizationSlug}/s/alpha/files";
        Assert.Equal(HttpStatusCode.OK, (await editorBrowser.GetAsync(alphaFiles)).StatusCode);
        var token = editorBrowser.AnyAntiforgeryToken();

        // Beta's file id under Alpha's address, with a valid token: the editor may delete in Alpha, not in Beta.
        var foreign = await editorBrowser.PostAsync($"{alphaFiles}/{betaFile.Id}/delete", new Dictionary<string, string> { ["__RequestVerificationToken"] = token });

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.True(await Tenants.FileExistsAsync(host, org, betaFile.Id), "Beta's file record is gone");
        Assert.Equal(1, await host.Storage.CountObjectsAsync(StorageContainers.OfSpace(beta), Ct));

        // The same request for Alpha's own file works: the refusal above is about the Space, not the editor's rights.
        var own = await editorBrowser.PostAsync($"{alphaFiles}/{alphaFile.Id}/delete", new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
        Assert.Equal(HttpStatusCode.Redirect, own.StatusCode);
        Assert.False(await Tenants.FileExistsAsync(host, org, alphaFile.Id));
    }
}

public sealed class SpaceIsolationTestsOnSqlite(SqliteHost host) : SpaceIsolationTests(host), IClassFixture<SqliteHost>;

public sealed class SpaceIsolationTestsOnPostgres(PostgresHost host) : SpaceIsolationTests(host), IClassFixture<PostgresHost>;
