using System.Data.Common;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Encryption;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Platform.Encryption;

/// <summary>
/// Runs an action exactly once, just before the first command that writes an organization's confidential description
/// back for a given organization: the moment between key rotation's read of a value and its write of the
/// re-encrypted one. Lets a test put a concurrent change into that gap deterministically, without sleeps or races.
/// </summary>
public sealed class WriteBackHook : DbCommandInterceptor
{
    private const string WriteBack = "UPDATE \"Organizations\" SET \"ConfidentialDescription\"";

    private Guid _organization;
    private Func<Task>? _action;

    public bool Fired { get; private set; }

    public void Arm(Guid organization, Func<Task> action)
    {
        _organization = organization;
        _action = action;
        Fired = false;
    }

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (Matches(command) && Interlocked.Exchange(ref _action, null) is { } action)
        {
            Fired = true;
            await action(); // its own writes pass through here too, but the action is already taken
        }

        return result;
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        if (Matches(command) && Interlocked.Exchange(ref _action, null) is { } action)
        {
            Fired = true;
            action().GetAwaiter().GetResult();
        }

        return result;
    }

    private bool Matches(DbCommand command) =>
        _action is not null
        && command.CommandText.TrimStart().StartsWith(WriteBack, StringComparison.Ordinal)
        && command.Parameters.Cast<DbParameter>().Any(p => p.Value is Guid id ? id == _organization : string.Equals(Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture), _organization.ToString(), StringComparison.OrdinalIgnoreCase));
}

public interface IWriteBackHookHost
{
    WriteBackHook Hook { get; }
}

public sealed class WriteBackHookSqliteHost(SmtpSink mail) : SqliteHost(mail), IWriteBackHookHost
{
    public WriteBackHook Hook { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.ConfigureDbContext<SqliteKastellDbContext>(o => o.AddInterceptors(Hook)));
    }
}

public sealed class WriteBackHookPostgresHost(PostgresCluster cluster, SmtpSink mail) : PostgresHost(cluster, mail), IWriteBackHookHost
{
    public WriteBackHook Hook { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.ConfigureDbContext<PostgresKastellDbContext>(o => o.AddInterceptors(Hook)));
    }
}

/// <summary>
/// Key rotation reads a value, re-encrypts it and writes it back; a user who saves the same value in between must
/// keep their change. The change is made exactly between the rotation's read and its write (see <see cref="WriteBackHook"/>).
/// </summary>
public abstract class RotationInterleavingTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private WriteBackHook Hook => ((IWriteBackHookHost)host).Hook;

    [Fact]
    public async Task ChangeBetweenTheRotationsReadAndWrite_IsKept_AndEndsUpUnderTheNewKey()
    {
        var org = await EncryptedOrganizations.CreateAsync(host, "vor der Rotation");
        Hook.Arm(org.Id, () => EncryptedOrganizations.UpdateDescriptionAsync(host, org.Id, "während der Rotation geändert"));

        var job = await host.Services.GetRequiredService<DataKeyRotation>().RequestAsync(org.Id, Ct);
        // Whether the background worker or this call gets to the job first, this returns once it has run.
        var done = await host.Services.GetRequiredService<DataKeyReencryption>().RunAsync(job.Id, org.Id, null, Ct);

        Assert.True(Hook.Fired, "the rotation never wrote the value back: the interleaving was not tested");
        Assert.NotNull(done.CompletedAt);
        Assert.Null(done.Failure);
        host.Services.GetRequiredService<DataKeyRing>().Forget(); // decrypt through the KEK, not the cache
        Assert.Equal("während der Rotation geändert", await EncryptedOrganizations.ReadDescriptionAsync(host, org.Id));
        var stored = await EncryptedOrganizations.StoredDescriptionAsync(host, org);
        Assert.Equal(job.NewKeyId, FieldCipher.KeyIdOf(stored, new FieldLocation("Organizations", "ConfidentialDescription", $"[\"{org.Id}\"]")));
        var (scope, db) = host.OpenDb(org.Id);
        await using (scope)
        {
            Assert.Equal([job.NewKeyId], await db.DataKeys.Where(k => k.OrganizationId == org.Id).Select(k => k.Id).ToListAsync(Ct));
        }
    }
}

public sealed class RotationInterleavingTestsOnSqlite(WriteBackHookSqliteHost host) : RotationInterleavingTests(host), IClassFixture<WriteBackHookSqliteHost>;

public sealed class RotationInterleavingTestsOnPostgres(WriteBackHookPostgresHost host) : RotationInterleavingTests(host), IClassFixture<WriteBackHookPostgresHost>;
