namespace Kastell.Server.Tests.Platform.Authorization.AttackMatrix;

// The route values of the platform and of the features on main, each a real object of the victim tenant made by
// VictimTenant. A feature with a new kind of object adds its filler beside its own tests.

internal sealed class OrganizationFiller : RouteValueFiller
{
    public override IReadOnlyList<string> Keys => ["org"];

    public override Task<string> CreateAsync(VictimTenant victim) => Task.FromResult(victim.OrganizationSlug);
}

/// <summary>The Vault: the Space with the file and the team grant.</summary>
internal sealed class SpaceFiller : RouteValueFiller
{
    public override IReadOnlyList<string> Keys => ["space", "spaceSlug"];

    public override Task<string> CreateAsync(VictimTenant victim) => Task.FromResult(victim.Vault.Slug);
}

internal sealed class FileFiller : RouteValueFiller
{
    public override IReadOnlyList<string> Keys => ["file", "files/id", "fileId"];

    public override Task<string> CreateAsync(VictimTenant victim) => Task.FromResult(victim.FileId.ToString());
}

internal sealed class InvitationFiller : RouteValueFiller
{
    public override IReadOnlyList<string> Keys => ["invitation", "invitations/id", "invitationId"];

    public override Task<string> CreateAsync(VictimTenant victim) => Task.FromResult(victim.InvitationId.ToString());
}

/// <summary>The team with a role in the Vault.</summary>
internal sealed class TeamFiller : RouteValueFiller
{
    public override IReadOnlyList<string> Keys => ["team", "teams/id", "teamId"];

    public override Task<string> CreateAsync(VictimTenant victim) => Task.FromResult(victim.TeamId.ToString());
}

/// <summary>A person of the victim tenant: its owner, the juiciest target for "change role" or "remove".</summary>
internal sealed class UserFiller : RouteValueFiller
{
    public override IReadOnlyList<string> Keys => ["user", "users/id", "members/id", "userId", "member", "memberId"];

    public override Task<string> CreateAsync(VictimTenant victim) => Task.FromResult(victim.OwnerId.ToString());
}

/// <summary>The audit trail's export format (<c>export.{extension}</c>).</summary>
internal sealed class ExportFormatFiller : RouteValueFiller
{
    public override IReadOnlyList<string> Keys => ["extension"];

    public override Task<string> CreateAsync(VictimTenant victim) => Task.FromResult("csv");
}

/// <summary>
/// The static files' catch-all (<c>{**path:file}</c>, mapped by MapStaticAssets where no build manifest lists the
/// files): a real file of wwwroot. Nothing of a tenant is behind it, which is what the matrix checks.
/// </summary>
internal sealed class StaticFilePathFiller : RouteValueFiller
{
    public override IReadOnlyList<string> Keys => ["path"];

    public override Task<string> CreateAsync(VictimTenant victim) => Task.FromResult("css/kastell.css");
}
