using Kastell.Server.Platform.Data;
using Kastell.Server.Tests.Features.ApiAccess;
using Kastell.Server.Tests.Features.SingleSignOn;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;
using Npgsql;

namespace Kastell.Server.Tests.Platform.Data;

/// <summary>
/// Kastell on PostgreSQL with a connection pool of one. A request that takes a second connection while it holds the
/// first (a permission check inside an open transaction, a list enumerated while something else is read) waits for
/// itself and fails after the pool's timeout. With the default pool such a request holds two connections under load,
/// and enough of them exhaust the pool or the server (error 53300) instead of queueing — found by the API benchmark.
/// </summary>
public sealed class OnePooledConnectionPostgresHost(PostgresCluster cluster, SmtpSink mail) : PostgresHost(cluster, mail)
{
    protected override string? ConnectionString =>
        base.ConnectionString is { } configured ? new NpgsqlConnectionStringBuilder(configured) { MaxPoolSize = 1, Timeout = 5 }.ConnectionString : null;

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => OidcTestProvider.Settings;
}

/// <summary>Every state-changing endpoint, driven as the audit coverage test drives it, needs one connection at a time.</summary>
public sealed class AuditEndpointCoverageTestsOnOnePooledConnection(OnePooledConnectionPostgresHost host)
    : AuditEndpointCoverageTests(host), IClassFixture<OnePooledConnectionPostgresHost>;

/// <summary>Every API endpoint, driven by every kind of caller of the attack matrix, needs one connection at a time.</summary>
public sealed class ApiMatrixTestsOnOnePooledConnection(OnePooledConnectionPostgresHost host)
    : ApiMatrixTests(host), IClassFixture<OnePooledConnectionPostgresHost>;

/// <summary>Kastell's cap on the pool unless the connection string sets its own.</summary>
public sealed class PostgresPoolCapTests
{
    [Theory]
    [InlineData("Host=db;Database=kastell;Username=kastell", DatabaseRegistration.DefaultMaxPoolSize)]
    [InlineData("Host=db;Database=kastell;Maximum Pool Size=80", 80)]
    [InlineData("Host=db;Database=kastell;maximum pool size=7", 7)]
    [InlineData("Host=db;Database=kastell;MaxPoolSize=12", 12)]
    [InlineData("Host=db;Database=kastell;Maximum Pool Size=100", 100)]
    public void ThePoolIsCapped_UnlessTheConnectionStringSetsItsOwnMaximum(string configured, int expected)
    {
        var applied = new NpgsqlConnectionStringBuilder(DatabaseRegistration.PostgresConnectionString(configured));

        Assert.Equal(expected, applied.MaxPoolSize);
        Assert.Equal("db", applied.Host);
        Assert.Equal("kastell", applied.Database);
    }

    [Fact]
    public void TheCapLeavesRoomForTwoProcesses_UnderPostgresDefaultMaxConnections()
    {
        // PostgreSQL's default max_connections is 100 with 3 reserved for superusers: a blue-green pair of Kastell
        // processes plus the migration and a psql session must fit.
        Assert.True(2 * DatabaseRegistration.DefaultMaxPoolSize + 2 <= 97);
    }
}
