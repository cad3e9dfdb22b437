using Kastell.Server.Features.ApiAccess.Tokens;
using Kastell.Server.Features.Controls;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Identity.Tokens;
using Kastell.Server.Platform.Storage;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.FileList.Benchmarks;

/// <summary>A person the benchmark signs in as: how they reach the Space, their sign-in and their API token.</summary>
internal sealed record BenchUser(string Label, string Email, string RecoveryCode, string ApiToken);

/// <summary>
/// What the seed made: the page and the API list to load, the API's controls list unfiltered and filtered by the
/// organization's owner (null without controls), and the people to load them as.
/// </summary>
internal sealed record SeededSpace(string PagePath, string ApiPath, string? ControlsPath, string? OwnedControlsPath, IReadOnlyList<BenchUser> Users, int Tuples);

/// <summary>
/// One organization with <c>members</c> members (plus the three measured people) and <c>teams</c> teams: the first
/// five nested in a chain (team k+1 is a member of team k), the chain's top and every team after the chain holding a
/// Space role (viewer or editor in turn), ten members each dealt round-robin; a quarter of the members hold a Space
/// role directly; <c>files</c> files in the Space, uploaded by members. Everything goes through Kastell's own services
/// (<see cref="Memberships"/>, <see cref="SpaceFiles"/>, <see cref="CreateApiTokenCommand"/>), so rows and tuples are
/// what the product writes. The measured people: the organization's owner (inherits every Space), an editor with a
/// direct Space role, and a member of the chain's innermost team only (reaches the Space through five nested teams).
/// With <c>controls</c> (issue 12's scale), the Space also holds that many controls, owned in turn by the organization's
/// owner, a member, a team and no one, written as the Controls feature writes them (the row, its <c>control#space</c>
/// and <c>control#owner</c> tuples).
/// </summary>
internal static class Seed
{
    public const string Password = "benchmark passphrase for the file list 2026";

    public static async Task<SeededSpace> RunAsync(BenchHost host, int memberCount, int teamCount, int fileCount, int controlCount = 0)
    {
        var organizationId = Guid.CreateVersion7();
        var spaceId = Guid.CreateVersion7();
        var slug = "bench-" + organizationId.ToString("N")[^8..];
        var now = DateTimeOffset.UtcNow;
        await using var scope = host.Services.GetRequiredService<TenantScopes>().Enter(organizationId, AuditActor.System("benchmark"));
        var db = scope.Db;
        var memberships = scope.Get<Memberships>();
        var users = scope.Get<UserManager<KastellUser>>();

        db.Organizations.Add(new Organization { Id = organizationId, Name = "Benchmark", Slug = slug, CreatedAt = now });
        await db.SaveChangesAsync();
        var (owner, ownerCode) = await PersonAsync("owner", withPassword: true);
        await memberships.AddToOrganizationAsync(organizationId, owner, OrganizationRole.Owner);
        var space = new Space { Id = spaceId, OrganizationId = organizationId, Name = "Bench", Slug = "bench", CreatedAt = now };
        await memberships.AddSpaceAsync(space);
        await scope.Get<IObjectStore>().CreateContainerAsync(StorageContainers.OfSpace(spaceId));
        await db.SaveChangesAsync();

        var members = new List<Guid>();
        for (var i = 0; i < memberCount; i++)
        {
            var (member, _) = await PersonAsync($"member{i:D3}", withPassword: false);
            await memberships.AddToOrganizationAsync(organizationId, member, OrganizationRole.Member);
            members.Add(member);
        }

        for (var i = 0; i < memberCount / 4; i++)
        {
            await memberships.AddToSpaceAsync(space, members[i], (SpaceRole)(i % 3));
        }

        await db.SaveChangesAsync();

        var teams = new List<Guid>();
        for (var t = 0; t < teamCount; t++)
        {
            var team = new Team { Id = Guid.CreateVersion7(), OrganizationId = organizationId, Name = $"Team {t:D2}", NormalizedName = Team.Normalize($"Team {t:D2}"), CreatedAt = now };
            await memberships.AddTeamAsync(team);
            teams.Add(team.Id);
            for (var m = t; m < members.Count && m < t + (teamCount * 10); m += teamCount)
            {
                await memberships.AddUserToTeamAsync(team.Id, members[m]);
            }

            if (t is > 0 and < 5)
            {
                await memberships.AddTeamToTeamAsync(teams[t - 1], team.Id);
            }

            if (t == 0 || t >= 5)
            {
                await memberships.SetTeamSpaceRoleAsync(space, team.Id, t % 2 == 0 ? SpaceRole.Viewer : SpaceRole.Editor);
            }
        }

        var (editor, editorCode) = await PersonAsync("editor", withPassword: true);
        await memberships.AddToOrganizationAsync(organizationId, editor, OrganizationRole.Member);
        await memberships.AddToSpaceAsync(space, editor, SpaceRole.Editor);
        var (nested, nestedCode) = await PersonAsync("nested", withPassword: true);
        await memberships.AddToOrganizationAsync(organizationId, nested, OrganizationRole.Member);
        await memberships.AddUserToTeamAsync(teams[Math.Min(4, teams.Count - 1)], nested);
        await db.SaveChangesAsync();

        var files = scope.Get<SpaceFiles>();
        for (var i = 0; i < fileCount; i++)
        {
            using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes($"file {i} of the benchmark\n"));
            await files.UploadAsync(spaceId, $"evidence-{i:D4}.txt", "text/plain", content, StoredObjectStatus.Available, members[i % members.Count]);
        }

        var writer = scope.Get<RelationshipWriter>();
        for (var i = 0; i < controlCount; i++)
        {
            var control = new Control
            {
                Id = Guid.CreateVersion7(),
                OrganizationId = organizationId,
                SpaceId = spaceId,
                Title = $"Control {i:D4}",
                Description = "",
                Status = (ControlStatus)(i % 4),
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Controls.Add(control);
            var @object = Permissions.Object("control", control.Id);
            await writer.GrantAsync(@object, "space", Permissions.Object("space", spaceId));
            var ownedBy = (i % 4) switch
            {
                0 => Permissions.User(owner),
                1 => Permissions.User(members[i % members.Count]),
                2 => Memberships.TeamMembers(teams[i % teams.Count]),
                _ => null,
            };
            if (ownedBy is not null)
            {
                await writer.GrantAsync(@object, "owner", ownedBy);
            }

            if (i % 250 == 249 || i == controlCount - 1)
            {
                await db.SaveChangesAsync();
                db.ChangeTracker.Clear();
            }
        }

        var tokens = new Dictionary<Guid, string>();
        foreach (var person in new[] { owner, editor, nested })
        {
            var created = await scope.Get<CreateApiTokenCommand>().ExecuteAsync(
                new TokenRequest(ApiTokenKind.Personal, person, "benchmark", 2, controlCount > 0 ? ["file:can_read", "space:can_read_controls"] : ["file:can_read"], []), AuditActor.System("benchmark"));
            tokens[person] = created.Value?.Secret ?? throw new InvalidOperationException($"No API token: {created.Failure}");
        }

        var tuples = await db.Set<Kastell.Authorization.Storage.EntityFramework.TupleEntity>().CountAsync(t => t.StoreId == Permissions.StoreId(organizationId));
        return new SeededSpace($"/o/{slug}/s/bench/files", $"/api/v1/o/{slug}/s/bench/files?limit=100",
            controlCount > 0 ? $"/api/v1/o/{slug}/s/bench/controls?limit=100" : null,
            controlCount > 0 ? $"/api/v1/o/{slug}/s/bench/controls?owner=user:{owner:D}&limit=100" : null,
        [
            new("owner (organization owner)", Email("owner"), ownerCode, tokens[owner]),
            new("editor (direct Space role)", Email("editor"), editorCode, tokens[editor]),
            new("viewer (5 nested teams)", Email("nested"), nestedCode, tokens[nested]),
        ], tuples);

        string Email(string who) => $"{who}@{slug}.example.test";

        async Task<(Guid Id, string RecoveryCode)> PersonAsync(string who, bool withPassword)
        {
            var user = new KastellUser
            {
                Id = Guid.CreateVersion7(),
                UserName = Email(who),
                Email = Email(who),
                EmailConfirmed = true,
                DisplayName = who,
                CreatedAt = now,
            };
            var created = withPassword ? await users.CreateAsync(user, Password) : await users.CreateAsync(user);
            if (!created.Succeeded)
            {
                throw new InvalidOperationException(string.Join("; ", created.Errors.Select(e => e.Description)));
            }

            if (!withPassword)
            {
                return (user.Id, "");
            }

            // Enrolled as the MFA page enrols (an authenticator key, two factors on, recovery codes); signed in with a code.
            await users.ResetAuthenticatorKeyAsync(user);
            await users.SetTwoFactorEnabledAsync(user, true);
            var codes = await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10);
            return (user.Id, codes!.First());
        }
    }
}
