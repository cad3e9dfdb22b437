using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Platform.Encryption;

/// <summary>
/// One rotation of an organization's data key: the new key encrypts every new value from the moment the rotation is
/// requested; <see cref="DataKeyReencryption"/> then re-encrypts the existing values and destroys the old keys.
/// Tenant-owned (row-level security on PostgreSQL).
/// </summary>
public sealed class DataKeyRotationJob : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    /// <summary>The key everything is re-encrypted with.</summary>
    public Guid NewKeyId { get; set; }

    public DateTimeOffset RequestedAt { get; set; }

    /// <summary>Encrypted values still under an older key when re-encryption started.</summary>
    public int RowsTotal { get; set; }

    public int RowsDone { get; set; }

    /// <summary>Set once every value is under the new key and the old keys are destroyed.</summary>
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>Why re-encryption stopped (a value that does not decrypt); the old keys are kept. Never contains data.</summary>
    public string? Failure { get; set; }

    public bool IsPending => CompletedAt is null && Failure is null;

    public override string ToString() =>
        CompletedAt is not null ? $"completed: {RowsDone} of {RowsTotal} value(s) re-encrypted"
        : Failure is not null ? $"failed after {RowsDone} of {RowsTotal} value(s): {Failure}"
        : $"running: {RowsDone} of {RowsTotal} value(s) re-encrypted";
}

/// <summary>Starts data-key rotations and reports their progress.</summary>
public sealed class DataKeyRotation(TenantScopes scopes, DataKeyRing ring, TimeProvider time, DataKeyReencryptionSignal signal)
{
    /// <summary>
    /// Creates the organization's next data key (new values use it at once) and records the job that re-encrypts the
    /// existing values; the background worker of this instance starts on it immediately.
    /// </summary>
    public async Task<DataKeyRotationJob> RequestAsync(Guid organizationId, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.Enter(organizationId, AuditActor.System("key-rotation"));
        var db = scope.Services.GetRequiredService<KastellDbContext>();
        if (!await db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken))
        {
            throw new InvalidOperationException($"Organization {organizationId} does not exist.");
        }

        // One at a time: a job re-encrypts everything not under its own key and then deletes every other key.
        if (await db.DataKeyRotations.AnyAsync(j => j.OrganizationId == organizationId && j.CompletedAt == null && j.Failure == null, cancellationToken))
        {
            throw new InvalidOperationException("A data-key rotation of this organization is still running.");
        }

        var (key, _) = ring.NewKey(organizationId);
        var job = new DataKeyRotationJob
        {
            Id = Guid.NewGuid(),
            OrganizationId = organizationId,
            NewKeyId = key.Id,
            RequestedAt = time.GetUtcNow(),
        };
        db.DataKeys.Add(key);
        db.DataKeyRotations.Add(job);
        await db.SaveChangesAsync(cancellationToken);
        signal.Wake();
        return job;
    }

    /// <summary>Every rotation job of one organization, newest first.</summary>
    public async Task<List<DataKeyRotationJob>> JobsAsync(Guid organizationId, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.Enter(organizationId, AuditActor.System("key-rotation"));
        var db = scope.Services.GetRequiredService<KastellDbContext>();
        var jobs = await db.DataKeyRotations.AsNoTracking().Where(j => j.OrganizationId == organizationId).ToListAsync(cancellationToken);
        return [.. jobs.OrderByDescending(j => j.RequestedAt)];
    }

    /// <summary>Pending jobs of every organization (one query per organization: each runs inside its own tenant).</summary>
    public async Task<List<DataKeyRotationJob>> PendingAsync(CancellationToken cancellationToken = default)
    {
        List<Guid> organizations;
        await using (var scope = scopes.Open(AuditActor.System("key-rotation")))
        {
            organizations = await scope.Services.GetRequiredService<KastellDbContext>().Organizations
                .AsNoTracking().Select(o => o.Id).ToListAsync(cancellationToken);
        }

        var pending = new List<DataKeyRotationJob>();
        foreach (var organization in organizations)
        {
            pending.AddRange((await JobsAsync(organization, cancellationToken)).Where(j => j.IsPending));
        }

        return pending;
    }
}

/// <summary>Wakes this instance's <see cref="DataKeyReencryptionWorker"/> when a rotation is requested here.</summary>
public sealed class DataKeyReencryptionSignal
{
    private readonly SemaphoreSlim _wake = new(0);

    public void Wake() => _wake.Release();

    internal Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _wake.WaitAsync(timeout, cancellationToken);
}

/// <summary>
/// Runs data-key rotations in the background, while Kastell keeps serving: at start-up (jobs left by a restart or by
/// the CLI), whenever a rotation is requested in this instance, and every <see cref="KeyOptions.RotationPollInterval"/>.
/// </summary>
internal sealed class DataKeyReencryptionWorker(
    DataKeyRotation rotation,
    DataKeyReencryption reencryption,
    DataKeyReencryptionSignal signal,
    Microsoft.Extensions.Options.IOptions<KeyOptions> options,
    ILogger<DataKeyReencryptionWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var job in await rotation.PendingAsync(stoppingToken))
                {
                    var done = await reencryption.RunAsync(job.Id, job.OrganizationId, progress: null, stoppingToken);
                    logger.LogInformation("Data-key rotation {Job} of organization {Organization}: {State}", done.Id, done.OrganizationId, done.ToString());
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // a failed pass must not stop the worker; the next pass retries
            catch (Exception ex)
#pragma warning restore CA1031
            {
                logger.LogError(ex, "Data-key re-encryption pass failed; retrying at the next pass.");
            }

            try
            {
                await signal.WaitAsync(options.Value.RotationPollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

internal sealed class DataKeyRotationJobConfiguration : IEntityTypeConfiguration<DataKeyRotationJob>
{
    public void Configure(EntityTypeBuilder<DataKeyRotationJob> b)
    {
        b.ToTable("DataKeyRotations");
        b.HasOne<Organization>().WithMany().HasForeignKey(j => j.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        b.Property(j => j.Failure).HasMaxLength(1000);
        b.Ignore(j => j.IsPending);
    }
}
