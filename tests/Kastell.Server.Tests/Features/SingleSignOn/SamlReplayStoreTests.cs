using Kastell.Server.Features.SingleSignOn.Saml;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.SingleSignOn;

/// <summary>
/// The database replay store of SAML sign-ins: an assertion id is accepted once, also when the second use comes through
/// another unit of work (as from a second process on the same database), is kept apart per issuer and organization,
/// and a record past its time is cleared. On each provider.
/// </summary>
public abstract class SamlReplayStoreTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnAssertionId_IsAcceptedOnce_AcrossUnitsOfWork_PerIssuerAndOrganization()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        await using var other = await OrganizationFixture.CreateAsync(host);
        var id = "_" + Guid.NewGuid().ToString("N");
        var until = DateTimeOffset.UtcNow.AddMinutes(5);

        Assert.True(await RecordAsync(org.Id, "https://idp.example/a", id, until));
        Assert.False(await RecordAsync(org.Id, "https://idp.example/a", id, until)); // a new scope, its own connection
        Assert.True(await RecordAsync(org.Id, "https://idp.example/b", id, until)); // ids are unique per issuer only
        Assert.True(await RecordAsync(other.Id, "https://idp.example/a", id, until)); // and per organization

        // Two at the same moment: exactly one wins.
        var raced = "_" + Guid.NewGuid().ToString("N");
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => RecordAsync(org.Id, "https://idp.example/a", raced, until)));
        Assert.Single(results, r => r);
    }

    [Fact]
    public async Task AnExpiredRecord_IsCleared_WhenTheNextOneArrives()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var id = "_" + Guid.NewGuid().ToString("N");
        Assert.True(await RecordAsync(org.Id, "https://idp.example/a", id, DateTimeOffset.UtcNow.AddSeconds(-1)));
        Assert.True(await RecordAsync(org.Id, "https://idp.example/a", "_" + Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow.AddMinutes(5)));
        // The first id's record had expired (its assertion could no longer pass the time checks) and is gone.
        Assert.True(await RecordAsync(org.Id, "https://idp.example/a", id, DateTimeOffset.UtcNow.AddMinutes(5)));
    }

    private async Task<bool> RecordAsync(Guid organizationId, string issuer, string assertionId, DateTimeOffset keepUntil)
    {
        await using var scope = host.Services.GetRequiredService<TenantScopes>().Enter(organizationId, AuditActor.System("test"));
        return await scope.Get<DatabaseSamlReplayStore>().TryRecordAsync(issuer, assertionId, keepUntil, Ct);
    }
}

public sealed class SamlReplayStoreTestsOnSqlite(SqliteHost host) : SamlReplayStoreTests(host), IClassFixture<SqliteHost>;

public sealed class SamlReplayStoreTestsOnPostgres(PostgresHost host) : SamlReplayStoreTests(host), IClassFixture<PostgresHost>;
