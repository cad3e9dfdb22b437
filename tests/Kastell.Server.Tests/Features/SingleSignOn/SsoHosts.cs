using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Features.SingleSignOn;

/// <summary>A host that accepts the test provider's plain-http loopback issuer (production refuses it).</summary>
public sealed class SsoSqliteHost(SmtpSink mail) : SqliteHost(mail)
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => OidcTestProvider.Settings;
}

/// <summary>The same on PostgreSQL.</summary>
public sealed class SsoPostgresHost(PostgresCluster cluster, SmtpSink mail) : PostgresHost(cluster, mail)
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => OidcTestProvider.Settings;
}
