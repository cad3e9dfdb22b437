using System.CommandLine;
using Kastell.Authorization.Storage.EntityFramework;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Authorization;

/// <summary>
/// <c>authz drift</c>: compares every organization's relationship tuples with the rows they mirror (ADR 0014) —
/// organization and Space roles, each Space's and team's organization, each file's Space and uploader — and prints every
/// difference: a row without its tuple (someone lacks access they should have) or a tuple without its row (someone has
/// access nobody can see in the member lists). Team memberships and team grants are tuples only; for them it reports
/// dangling tuples: a team that no longer exists, or a person in a team who is no longer a member of the organization.
/// Exit 1 when anything differs.
/// </summary>
internal sealed class AuthzDriftVerb : CliVerb
{
    public override string Name => "authz drift";

    private readonly Option<string> _organization = new("--organization") { Description = "Only this organization (its slug)." };

    public override string Description => "Compare the relationship tuples with the membership, Space and file rows they mirror; exit 1 on any difference.";

    public override void Define(Command command) => command.Options.Add(_organization);

    public override async Task<int> RunAsync(CliInvocation invocation)
    {
        var services = invocation.Services;
        var ct = invocation.CancellationToken;
        List<(Guid Id, string Slug)> organizations;
        await using (var scope = services.CreateAsyncScope())
        {
            var only = invocation.Value(_organization);
            organizations = [.. (await scope.ServiceProvider.GetRequiredService<KastellDbContext>().Organizations.AsNoTracking()
                .Where(o => only == null || o.Slug == only)
                .OrderBy(o => o.Slug).Select(o => new { o.Id, o.Slug }).ToListAsync(ct)).Select(o => (o.Id, o.Slug))];
        }

        var differences = 0;
        var scopes = services.GetRequiredService<TenantScopes>();
        foreach (var (id, slug) in organizations)
        {
            await using var scope = scopes.Enter(id, AuditActor.System("authz-drift"));
            var (missing, unexpected, dangling) = await CompareAsync(scope.Db, id, ct);
            foreach (var tuple in missing)
            {
                await invocation.Output.WriteLineAsync($"{slug}: missing tuple {tuple} (its row exists)");
            }

            foreach (var tuple in unexpected)
            {
                await invocation.Output.WriteLineAsync($"{slug}: unexpected tuple {tuple} (no row has it)");
            }

            foreach (var tuple in dangling)
            {
                await invocation.Output.WriteLineAsync($"{slug}: dangling tuple {tuple} (names a team or a person that is gone)");
            }

            differences += missing.Count + unexpected.Count + dangling.Count;
        }

        await invocation.Output.WriteLineAsync($"{organizations.Count} organization(s): {(differences == 0 ? "no drift" : $"{differences} difference(s)")}");
        return differences == 0 ? 0 : 1;
    }

    /// <summary>
    /// The tuples the rows call for but the store lacks, the mirrored tuples no row calls for, and the tuple-only
    /// relations (teams) that name a team or a person that is gone.
    /// </summary>
    internal static async Task<(List<string> Missing, List<string> Unexpected, List<string> Dangling)> CompareAsync(KastellDbContext db, Guid organizationId, CancellationToken ct)
    {
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in await db.OrganizationMembers.AsNoTracking().ToListAsync(ct))
        {
            expected.Add(Key(Permissions.Object("organization", m.OrganizationId), Memberships.RelationOf(m.Role), Permissions.User(m.UserId)));
        }

        foreach (var m in await db.SpaceMembers.AsNoTracking().ToListAsync(ct))
        {
            expected.Add(Key(Permissions.Object("space", m.SpaceId), Memberships.RelationOf(m.Role), Permissions.User(m.UserId)));
        }

        foreach (var s in await db.Spaces.AsNoTracking().Select(s => new { s.Id, s.OrganizationId }).ToListAsync(ct))
        {
            expected.Add(Key(Permissions.Object("space", s.Id), "organization", Permissions.Object("organization", s.OrganizationId)));
        }

        foreach (var f in await db.StoredObjects.AsNoTracking().Select(f => new { f.Id, f.SpaceId, f.UploadedBy, f.Attachment }).ToListAsync(ct))
        {
            // An attachment (an evidence item's file) is read through its record, never as a file of the Space.
            if (!f.Attachment)
            {
                expected.Add(Key(Permissions.Object("file", f.Id), "space", Permissions.Object("space", f.SpaceId)));
            }

            if (f.UploadedBy is { } uploader)
            {
                expected.Add(Key(Permissions.Object("file", f.Id), "uploader", Permissions.User(uploader)));
            }
        }

        var teams = (await db.Teams.AsNoTracking().Select(t => new { t.Id, t.OrganizationId }).ToListAsync(ct))
            .ToDictionary(t => Permissions.Object("team", t.Id), t => t.OrganizationId, StringComparer.Ordinal);
        foreach (var (team, organization) in teams)
        {
            expected.Add(Key(team, "organization", Permissions.Object("organization", organization)));
        }

        var store = Permissions.StoreId(organizationId);
        var tuples = await db.Set<TupleEntity>().AsNoTracking().Where(t => t.StoreId == store).Select(t => new { t.Object, t.Relation, t.User }).ToListAsync(ct);
        var actual = tuples
            .Where(t => IsMirrored(t.Object, t.Relation, t.User))
            .Select(t => Key(t.Object, t.Relation, t.User))
            .ToHashSet(StringComparer.Ordinal);

        var members = (await db.OrganizationMembers.AsNoTracking().Select(m => m.UserId).ToListAsync(ct)).Select(Permissions.User).ToHashSet(StringComparer.Ordinal);
        var dangling = tuples
            .Where(t => !IsMirrored(t.Object, t.Relation, t.User)
                        && ((t.Object.StartsWith("team:", StringComparison.Ordinal) && !teams.ContainsKey(t.Object))
                            || (TeamOf(t.User) is { } team && !teams.ContainsKey(team))
                            || (t.Object.StartsWith("team:", StringComparison.Ordinal) && t.User.StartsWith("user:", StringComparison.Ordinal) && !members.Contains(t.User))))
            .Select(t => Key(t.Object, t.Relation, t.User))
            .Order(StringComparer.Ordinal)
            .ToList();
        return ([.. expected.Except(actual).Order(StringComparer.Ordinal)], [.. actual.Except(expected).Order(StringComparer.Ordinal)], dangling);
    }

    /// <summary>The team a userset user stands for (<c>team:…#member</c> → <c>team:…</c>), or null.</summary>
    private static string? TeamOf(string user) =>
        user.StartsWith("team:", StringComparison.Ordinal) && user.IndexOf('#', StringComparison.Ordinal) is > 0 and var hash ? user[..hash] : null;

    /// <summary>The tuples that mirror a row; team memberships and team grants exist only as tuples.</summary>
    private static bool IsMirrored(string @object, string relation, string user) =>
        (@object.StartsWith("organization:", StringComparison.Ordinal) && relation is "owner" or "admin" or "auditor" or "member" && user.StartsWith("user:", StringComparison.Ordinal))
        || (@object.StartsWith("team:", StringComparison.Ordinal) && relation == "organization")
        || (@object.StartsWith("space:", StringComparison.Ordinal) && ((relation is "manager" or "editor" or "viewer" && user.StartsWith("user:", StringComparison.Ordinal)) || relation == "organization"))
        || (@object.StartsWith("file:", StringComparison.Ordinal) && relation is "space" or "uploader");

    private static string Key(string @object, string relation, string user) => $"{@object}#{relation}@{user}";
}
