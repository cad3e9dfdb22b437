using System.Net;
using Kastell.Server.Features.Organizations.Members;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.Organizations;
using Kastell.Server.Tests.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Platform.Authorization.AttackMatrix;

/// <summary>
/// A text of the victim that only a caller with <see cref="Permission"/> on the object may see anywhere in a response
/// (body or header): a name, an address, a file's content.
/// </summary>
public sealed record VictimMarker(string Text, string ObjectType, Guid ObjectId, string Permission = "can_read");

/// <summary>A Space of the victim tenant.</summary>
public sealed record VictimSpace(Guid Id, string Slug, string Name);

/// <summary>
/// The organization under attack, made through its owner's own pages where they exist: a Space with a file the
/// attackers must not reach (the Vault), a Space one attacker legitimately works in (the Lobby), a pending
/// invitation, and a team holding a role in the Vault. Names carry a random suffix, so finding one in a response
/// means it came from this tenant.
/// </summary>
public sealed class VictimTenant
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private VictimTenant(KastellHost host, EnrolledUser owner, TestBrowser ownerBrowser, string name)
    {
        Host = host;
        Owner = owner;
        OwnerBrowser = ownerBrowser;
        OrganizationName = name;
    }

    public KastellHost Host { get; }

    public EnrolledUser Owner { get; }

    /// <summary>The owner's signed-in browser, for the fillers' own pages and the controls.</summary>
    public TestBrowser OwnerBrowser { get; }

    public string OrganizationName { get; }

    public string OrganizationSlug => Owner.OrganizationSlug;

    public Guid OrganizationId { get; private set; }

    public Guid OwnerId { get; private set; }

    /// <summary>The Space the attackers aim at: its file, its team grant.</summary>
    public VictimSpace Vault { get; private set; } = default!;

    /// <summary>A Space the plain member works in, so lists have something they may show.</summary>
    public VictimSpace Lobby { get; private set; } = default!;

    public Guid FileId { get; private set; }

    /// <summary>A team with the editor role in the Vault (tuples only: teams have no pages yet).</summary>
    public Guid TeamId { get; private set; }

    public Guid InvitationId { get; private set; }

    public List<VictimMarker> Markers { get; } = [];

    public List<VictimSpace> Spaces { get; } = [];

    /// <summary>A random suffix shared by every name of this run.</summary>
    public string Suffix { get; } = Guid.NewGuid().ToString("N")[..8];

    public void AddMarker(string text, string objectType, Guid objectId, string permission = "can_read") =>
        Markers.Add(new VictimMarker(text, objectType, objectId, permission));

    public static async Task<VictimTenant> CreateAsync(KastellHost host)
    {
        var browser = host.CreateBrowser();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var name = $"Victim Holding {suffix}";
        var owner = await Journeys.SignUpAndEnrolAsync(browser, name);
        var victim = new VictimTenant(host, owner, browser, name);
        victim.OrganizationId = await Tenants.OrganizationIdAsync(host, owner.OrganizationSlug);
        victim.OwnerId = await Tenants.UserIdAsync(host, owner.Email);
        victim.AddMarker(name, "organization", victim.OrganizationId);
        victim.AddMarker(owner.Email, "organization", victim.OrganizationId);

        victim.Vault = await victim.CreateSpaceAsync($"Vault {victim.Suffix}");
        victim.Lobby = await victim.CreateSpaceAsync($"Lobby {victim.Suffix}");

        var fileName = $"Bilanz {victim.Suffix}.txt";
        var content = $"Geheimer Inhalt {victim.Suffix}";
        var file = await Tenants.StoreFileAsync(host, victim.OrganizationId, victim.Vault.Id, fileName, System.Text.Encoding.UTF8.GetBytes(content));
        victim.FileId = file.Id;
        victim.AddMarker(fileName, "file", file.Id);
        victim.AddMarker(content, "file", file.Id);

        var invitee = $"invitee-{victim.Suffix}@example.test";
        Assert.Equal(HttpStatusCode.OK, (await InvitationTests.InviteAsync(browser, owner.OrganizationSlug, invitee, OrganizationRole.Admin)).StatusCode);
        var (scope, db) = host.OpenDb(victim.OrganizationId);
        await using (scope)
        {
            victim.InvitationId = await db.Invitations.Where(i => i.Email == invitee).Select(i => i.Id).SingleAsync(Ct);
        }

        victim.AddMarker(invitee, "organization", victim.OrganizationId, "can_manage_members");

        victim.TeamId = await Relations.CreateTeamAsync(host, victim.OrganizationId);
        await Relations.GrantTeamSpaceRoleAsync(host, victim.OrganizationId, victim.TeamId, victim.Vault.Id, SpaceRole.Editor);
        return victim;
    }

    private async Task<VictimSpace> CreateSpaceAsync(string name)
    {
        var response = await TenancyTests.CreateSpaceAsync(OwnerBrowser, OrganizationSlug, name);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var slug = TestBrowser.LocationOf(response)!.Split('/')[^1];
        var space = new VictimSpace(await Tenants.SpaceIdAsync(Host, OrganizationId, slug), slug, name);
        Spaces.Add(space);
        AddMarker(name, "space", space.Id);
        return space;
    }
}
