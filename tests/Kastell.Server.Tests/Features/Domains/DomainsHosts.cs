using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Features.Domains;

/// <summary>A host whose domain checks ask its own dnsmasq.</summary>
public interface IDnsHost
{
    Dnsmasq Dns { get; }
}

internal static class DomainsHostSettings
{
    /// <summary>Kastell asks only the test's dnsmasq, gives up on it after a second, and re-checks only when a test runs a pass.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> For(Dnsmasq dns) =>
    [
        new("Kastell:Domains:Resolvers", dns.Resolver),
        new("Kastell:Domains:Timeout", "00:00:01"),
        new("Kastell:Domains:RecheckInterval", "00:00:00"),
    ];
}

public sealed class DomainsSqliteHost(SmtpSink mail) : SqliteHost(mail), IDnsHost
{
    public Dnsmasq Dns { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => DomainsHostSettings.For(Dns);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Dns.Dispose();
    }
}

public sealed class DomainsPostgresHost(PostgresCluster cluster, SmtpSink mail) : PostgresHost(cluster, mail), IDnsHost
{
    public Dnsmasq Dns { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => DomainsHostSettings.For(Dns);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Dns.Dispose();
    }
}
