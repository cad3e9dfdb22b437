using System.Net;
using Kastell.Server.Features.Accounts;
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
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Support;

/// <summary>Looking up and arranging tenants for the defect tests: ids by slug, members with roles, stored files.</summary>
internal static class Tenants
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<Guid> OrganizationIdAsync(KastellHost host, string slug)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            return await db.Organizations.Where(o => o.Slug == slug).Select(o => o.Id).SingleAsync(Ct);
        }
    }

    public static async Task<Guid> SpaceIdAsync(KastellHost host, Guid organizationId, string slug)
    {
        var (scope, db) = host.OpenDb(organizationId);
        await using (scope)
        {
            return await db.Spaces.Where(s => s.Slug == slug).Select(s => s.Id).SingleAsync(Ct);
        }
    }

    public static async Task<Guid> UserIdAsync(KastellHost host, string email)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            return await db.Set<KastellUser>().Where(u => u.Email == email).Select(u => u.Id).SingleAsync(Ct);
        }
    }

    /// <summary>Creates a Space through the owner's form and returns its id; the slug is the name in lower case.</summary>
    public static async Task<Guid> CreateSpaceAsync(KastellHost host, TestBrowser owner, string organizationSlug, string name)
    {
        Assert.Equal(HttpStatusCode.Redirect, (await TenancyTests.CreateSpaceAsync(owner, organizationSlug, name)).StatusCode);
        return await SpaceIdAsync(host, await OrganizationIdAsync(host, organizationSlug), name.ToLowerInvariant());
    }

    /// <summary>Makes the user a member of the organization and, if given, gives them a role in one Space.</summary>
    public static async Task AddMemberAsync(KastellHost host, Guid organizationId, string email, OrganizationRole role, (Guid Space, SpaceRole Role)? spaceRole = null)
    {
        var userId = await UserIdAsync(host, email);
        var (scope, db) = host.OpenDb(organizationId);
        await using (scope)
        {
            await scope.ServiceProvider.GetRequiredService<Memberships>().AddToOrganizationAsync(organizationId, userId, role, TestContext.Current.CancellationToken);
            if (spaceRole is { } granted)
            {
                await scope.ServiceProvider.GetRequiredService<Memberships>().AddToSpaceAsync(organizationId, granted.Space, userId, granted.Role, TestContext.Current.CancellationToken);
            }

            await db.SaveChangesAsync(Ct);
        }
    }

    /// <summary>Creates a team (the row and its place in the organization, as the Teams feature does) and returns its id.</summary>
    public static async Task<Guid> CreateTeamAsync(KastellHost host, Guid organizationId, string name)
    {
        var team = new Team { Id = Guid.CreateVersion7(), OrganizationId = organizationId, Name = name, NormalizedName = Team.Normalize(name), CreatedAt = DateTimeOffset.UtcNow };
        var (scope, db) = host.OpenDb(organizationId);
        await using (scope)
        {
            await scope.ServiceProvider.GetRequiredService<Memberships>().AddTeamAsync(team, Ct);
            await db.SaveChangesAsync(Ct);
        }

        return team.Id;
    }

    /// <summary>Puts people (<c>user:…</c>) or teams (<c>team:…</c>) into a team, tuples only, as the Teams feature does.</summary>
    public static async Task AddToTeamAsync(KastellHost host, Guid organizationId, Guid teamId, params Subject[] members)
    {
        var (scope, db) = host.OpenDb(organizationId);
        await using (scope)
        {
            var memberships = scope.ServiceProvider.GetRequiredService<Memberships>();
            foreach (var member in members)
            {
                _ = member.Kind == SubjectKind.Person
                    ? await memberships.AddUserToTeamAsync(teamId, member.Id, Ct)
                    : await memberships.AddTeamToTeamAsync(teamId, member.Id, Ct);
            }

            await db.SaveChangesAsync(Ct);
        }
    }

    /// <summary>Gives a team a role in a Space (a tuple only), as the Space's members page does.</summary>
    public static async Task GrantTeamAsync(KastellHost host, Guid organizationId, Guid spaceId, Guid teamId, SpaceRole role)
    {
        var (scope, db) = host.OpenDb(organizationId);
        await using (scope)
        {
            var space = await db.Spaces.SingleAsync(s => s.Id == spaceId, Ct);
            await scope.ServiceProvider.GetRequiredService<Memberships>().SetTeamSpaceRoleAsync(space, teamId, role, Ct);
            await db.SaveChangesAsync(Ct);
        }
    }

    /// <summary>A file stored as already scanned (the hosts of these tests have no clamd), as the upload path stores it.</summary>
    public static async Task<StoredObject> StoreFileAsync(KastellHost host, Guid organizationId, Guid spaceId, string name, byte[] content)
    {
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Tenant>().Enter(organizationId);
        return await scope.ServiceProvider.GetRequiredService<SpaceFiles>()
            .UploadAsync(spaceId, name, ContentSniffer.Text, new MemoryStream(content), StoredObjectStatus.Available, null, Ct);
    }

    public static async Task<bool> FileExistsAsync(KastellHost host, Guid organizationId, Guid fileId)
    {
        var (scope, db) = host.OpenDb(organizationId);
        await using (scope)
        {
            return await db.StoredObjects.AnyAsync(o => o.Id == fileId, Ct);
        }
    }
}
