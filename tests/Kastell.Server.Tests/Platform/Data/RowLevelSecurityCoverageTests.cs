using Kastell.Server.Features.Accounts.Mfa;
using Kastell.Server.Features.Controls.Applicability;
using Kastell.Server.Features.Controls.ManageControls;
using Kastell.Server.Features.Organizations;
using Kastell.Server.Features.Organizations.Members;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Encryption;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.Controls;
using Kastell.Server.Tests.Features.Frameworks;
using Kastell.Server.Tests.Features.Organizations;
using Kastell.Server.Tests.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Kastell.Server.Tests.Platform.Data;

/// <summary>
/// Row-level security is the second wall behind the EF query filters, and it must stand on every tenant table, not
/// only on <c>Spaces</c>. The tables are every entity implementing <see cref="ITenantOwned"/> in the EF model (a new
/// one is covered without anyone remembering this test); each is read with raw SQL as the application's role, past
/// EF and its filters, with no tenant set and with another tenant set.
/// </summary>
public sealed class RowLevelSecurityCoverageTests(PostgresHost host) : IClassFixture<PostgresHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryTenantTable_ShowsNoRows_WithoutATenant_OrWithAnotherTenant()
    {
        var org = await OrganizationWithARowInEveryTenantTableAsync();
        var tables = TenantTables();
        Assert.Contains("StoredObjects", tables);

        var problems = new List<string>();
        foreach (var table in tables)
        {
            // Its own tenant sees its rows: so a count of 0 below is the policy at work, not an empty table.
            var own = await CountAsync(table, org.ToString());
            if (own == 0)
            {
                problems.Add($"{table}: the arranged organization has no row in it; extend {nameof(OrganizationWithARowInEveryTenantTableAsync)} so the table is tested.");
                continue;
            }

            foreach (var (who, setting) in new[] { ("no tenant", ""), ("another tenant", Guid.NewGuid().ToString()) })
            {
                var seen = await CountAsync(table, setting);
                if (seen != 0)
                {
                    problems.Add($"{table}: {seen} row(s) visible with {who} set (its own tenant sees {own}).");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    /// <summary>Tables of every entity type implementing <see cref="ITenantOwned"/>, from the application's model.</summary>
    private List<string> TenantTables()
    {
        var (scope, db) = host.OpenDb();
        using (scope)
        {
            return [.. db.Model.GetEntityTypes()
                .Where(e => typeof(ITenantOwned).IsAssignableFrom(e.ClrType))
                .Select(e => e.GetTableName()!)
                .Distinct()
                .Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>An organization with at least one row in each tenant table, made the way the application makes them.</summary>
    private async Task<Guid> OrganizationWithARowInEveryTenantTableAsync()
    {
        using var browser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(browser); // OrganizationMembers
        var org = await Tenants.OrganizationIdAsync(host, owner.OrganizationSlug);
        var space = await Tenants.CreateSpaceAsync(host, browser, owner.OrganizationSlug, "Walled"); // Spaces
        using var memberBrowser = host.CreateBrowser();
        var member = await Journeys.SignUpAndEnrolAsync(memberBrowser);
        await Tenants.AddMemberAsync(host, org, member.Email, OrganizationRole.Member, (space, SpaceRole.Viewer)); // SpaceMembers
        using (var again = host.CreateBrowser())
        {
            await Journeys.SignInAsync(again, member); // a member security event: its copy's mark in MemberEventCopyMarks
        }

        await host.Services.GetRequiredService<MemberEventCopier>().CopyPendingAsync(Ct);
        await InvitationTests.InviteAsync(browser, owner.OrganizationSlug, Journeys.UniqueEmail("invited"), OrganizationRole.Member); // Invitations
        await Tenants.StoreFileAsync(host, org, space, "akte.txt", "Akte"u8.ToArray()); // StoredObjects
        var job = await host.Services.GetRequiredService<DataKeyRotation>().RequestAsync(org, Ct); // DataKeyRotations
        await host.Services.GetRequiredService<DataKeyReencryption>().RunAsync(job.Id, org, null, Ct);
        await Tenants.CreateTeamAsync(host, org, "Walled team"); // Teams
        await using (var scope = host.Services.GetRequiredService<TenantScopes>().Enter(org, AuditActor.System("test")))
        {
            var accounts = scope.Get<Kastell.Server.Features.ApiAccess.ServiceAccounts.ServiceAccountCommands>();
            var account = (await accounts.CreateAsync("rls", OrganizationRole.Member, AuditActor.System("test"), Ct)).Value!; // ServiceAccounts
            await accounts.GrantSpaceRoleAsync(account.Id, space, SpaceRole.Viewer, AuditActor.System("test"), Ct); // ServiceAccountSpaceRoles
            scope.Db.Add(new Kastell.Server.Platform.Http.Api.IdempotencyRecord
            {
                Id = Guid.CreateVersion7(), OrganizationId = org, TokenId = Guid.NewGuid(), Key = "k", RequestHash = new string('0', 64), CreatedAt = DateTimeOffset.UtcNow,
            }); // IdempotencyRecords
            var sso = new Kastell.Server.Features.SingleSignOn.SsoConnection
            {
                Id = Guid.CreateVersion7(), OrganizationId = org, Protocol = Kastell.Server.Features.SingleSignOn.SsoProtocol.Oidc, Name = "rls",
                Issuer = "https://idp.example.org", ClientId = "rls", ClientSecret = "rls-secret", CreatedAt = DateTimeOffset.UtcNow, CreatedBy = "test",
            };
            scope.Db.Add(sso); // SsoConnections
            scope.Db.Add(new Kastell.Server.Features.SingleSignOn.Saml.SamlRequest
            {
                Id = "_rls" + Guid.NewGuid().ToString("N"), OrganizationId = org, ConnectionId = sso.Id, ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(10),
            }); // SamlRequests
            scope.Db.Add(new Kastell.Server.Features.SingleSignOn.Saml.SamlAssertionUse
            {
                Id = Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"), OrganizationId = org, KeepUntil = DateTimeOffset.UtcNow.AddMinutes(10),
            }); // SamlAssertionUses
            await scope.Db.SaveChangesAsync(Ct);
        }

        await Kastell.Server.Tests.Features.Domains.DomainsData.AddAsync(host, org); // OrganizationDomains

        foreach (var version in new[] { "1", "2" }) // Frameworks, FrameworkVersions, Requirements; the second one RequirementChanges
        {
            var catalog = await FrameworkImportTests.WriteAsync(FrameworkImportTests.Catalog(version, ("w-1", "Wall " + version)));
            Assert.Equal(0, await KastellCli.RunAsync(host.Services, ["oscal", "import", catalog, "--organization", owner.OrganizationSlug], TextWriter.Null, Ct));
        }

        var ownerId = await Tenants.UserIdAsync(host, owner.Email);
        Guid framework, requirement;
        var (frameworkScope, frameworkDb) = host.OpenDb(org);
        await using (frameworkScope)
        {
            var current = await frameworkDb.Set<Kastell.Server.Features.Frameworks.Framework>().SingleAsync(Ct);
            framework = current.Id;
            requirement = await frameworkDb.Set<Kastell.Server.Features.Frameworks.Requirement>().Where(r => r.FrameworkVersionId == current.CurrentVersionId).Select(r => r.Id).SingleAsync(Ct);
        }

        await ControlsData.AdoptAsync(host, org, space, ownerId, framework); // FrameworkAdoptions
        var control = await ControlsData.CreateControlAsync(host, org, space, ownerId, "Wall"); // Controls
        Assert.True((await ControlsData.AsAsync<LinkRequirementCommand, Result>(host, org, space, ownerId, c => c.LinkAsync(control, framework, "w-1", Ct))).Succeeded); // ControlRequirements
        Assert.True((await ControlsData.AsAsync<RecordApplicabilityCommand, Result>(host, org, space, ownerId, c => c.ExecuteAsync(requirement, "yes", "Walled.", Ct))).Succeeded); // ApplicabilityEntries

        var server = await Kastell.Server.Tests.Features.Assets.AssetsData.CreateAsync(host, org, space, ownerId, "Wall server"); // Assets
        var application = await Kastell.Server.Tests.Features.Assets.AssetsData.CreateAsync(host, org, space, ownerId, "Wall application");
        await Kastell.Server.Tests.Features.Assets.AssetsData.DependAsync(host, org, space, ownerId, application, server); // AssetDependencies
        await Kastell.Server.Tests.Features.Evidence.PlacedEvidence.FileAsync(host, org, space, ownerId, "Wall evidence"); // EvidenceItems, EvidenceVersions

        return org;
    }

    /// <summary>Rows of <paramref name="table"/> the application's role sees with <c>kastell.organization_id</c> set as given and no user set.</summary>
    private async Task<long> CountAsync(string table, string organizationSetting)
    {
        await using var connection = new NpgsqlConnection(host.ApplicationConnectionString);
        await connection.OpenAsync(Ct);
        await using (var set = new NpgsqlCommand("SELECT set_config('kastell.organization_id', @org, false), set_config('kastell.user_id', '', false)", connection))
        {
            set.Parameters.AddWithValue("org", organizationSetting);
            await set.ExecuteNonQueryAsync(Ct);
        }

        await using var count = new NpgsqlCommand($"SELECT count(*) FROM \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
        return (long)(await count.ExecuteScalarAsync(Ct))!;
    }
}
