using System.Security.Cryptography;
using Kastell.Server.Features.AuditTrail.Export;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Hosting;
using Kastell.Server.Platform.Siem;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.AuditTrail.Retention;

internal sealed record AuditPruneResult(long UpToSequence, int Removed, string ArchivePath, string ArchiveSha256);

/// <summary>Events up to <paramref name="DueUpTo"/> are past the retention period, but the SIEM has confirmed only up to <paramref name="DeliveredUpTo"/>.</summary>
internal sealed record AuditSiemHold(long DueUpTo, long DeliveredUpTo);

/// <summary>What one retention run did to a chain: what it removed (if anything) and whether the SIEM cursor held it back.</summary>
internal sealed record AuditRetentionOutcome(AuditPruneResult? Pruned, AuditSiemHold? HeldBack)
{
    public static readonly AuditRetentionOutcome Nothing = new(null, null);
}

/// <summary>
/// Applies the organization's retention period to its chain: the events up to the newest signed checkpoint that is
/// older than the period are written to an archive (JSON lines with sequence and hashes, owner-only, under
/// <c>&lt;ArchiveDirectory&gt;/&lt;organization&gt;/</c>), then a retention mark and an event are stored and the
/// archived events deleted — mark, event and deletion in one transaction, which holds the chain's lock and proceeds
/// only if the mark is still the one the run started from (two runs at once prune once). The archive is written
/// under a temporary name and renamed into place just before that transaction commits, never over an existing file.
/// Cutting only at a signed checkpoint lets the remaining chain verify from that checkpoint. A chain that does not
/// verify is never pruned: the evidence stays.
/// While SIEM forwarding is on, the cut never passes the chain's SIEM cursor: an event the SIEM has not confirmed
/// exists only here, and removing it would lose it for good (the archive is not forwarded).
/// </summary>
internal sealed class AuditRetention(
    KastellDbContext db,
    Tenant tenant,
    IAuditLog audit,
    AuditVerifier verifier,
    IOptions<AuditOptions> auditOptions,
    IOptions<SiemOptions> siemOptions,
    IOptions<DataDirectoryOptions> dataDirectory,
    TimeProvider time,
    ILogger<AuditRetention> logger)
{
    public async Task<AuditRetentionOutcome> PruneAsync(CancellationToken cancellationToken = default) =>
        await PruneAsync(time.GetUtcNow(), cancellationToken);

    /// <param name="now">The moment the retention period counts back from (tests move it forward).</param>
    internal async Task<AuditRetentionOutcome> PruneAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var organization = tenant.RequireOrganizationId();
        var days = await db.Organizations.AsNoTracking().Where(o => o.Id == organization).Select(o => o.AuditRetentionDays).SingleAsync(cancellationToken);
        if (days is not { } retention)
        {
            return AuditRetentionOutcome.Nothing;
        }

        long? delivered = siemOptions.Value.Enabled ? await SiemCursorAsync(organization, cancellationToken) : null;
        var mark = await MarkAsync(organization, cancellationToken);
        var (due, cut) = await CutAsync(organization, mark, now.AddDays(-retention), delivered, cancellationToken);
        AuditSiemHold? hold = null;
        if (due is not null && delivered is { } confirmed && due.Sequence > confirmed)
        {
            hold = new AuditSiemHold(due.Sequence, confirmed);
            logger.LogInformation(
                "Audit retention of organization {Organization} stops at the SIEM cursor: events up to #{Due} are past the retention period, the SIEM has confirmed up to #{Delivered}.",
                organization, due.Sequence, confirmed);
        }

        if (cut is null)
        {
            return new AuditRetentionOutcome(null, hold);
        }

        var (_, _, problems) = await verifier.VerifyChainAsync(organization, cancellationToken);
        if (problems.Count > 0)
        {
            if (await MarkAsync(organization, cancellationToken) != mark)
            {
                return Overtaken(organization, hold); // read half before and half after another run's prune
            }

            throw new InvalidOperationException($"The audit chain of organization {organization} does not verify ({problems[0]}); nothing was pruned.");
        }

        var archive = await ArchiveAsync(organization, mark + 1, cut, cancellationToken);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // The chain's lock (on SQLite the transaction's write lock is already one): a second run at the same
            // time (the schedule and the verb, or two hosts) waits here until this one has committed, then sees its
            // mark below and stops; without it both would store a mark and the second delete nothing.
            await AuditChainSealer.LockChainAsync(db, organization, cancellationToken);
            if (await MarkAsync(organization, cancellationToken) != mark)
            {
                return Overtaken(organization, hold);
            }

            db.AuditPrunes.Add(new AuditPrune
            {
                Id = Guid.CreateVersion7(),
                OrganizationId = organization,
                UpToSequence = cut.Sequence,
                CheckpointHash = cut.Hash,
                PrunedAt = AuditHashing.ToStoredPrecision(now),
                ArchiveFile = archive.StoredName,
                ArchiveSha256 = archive.Sha256,
            });
            audit.Record(new(AuditTrailEvents.AuditLogPruned, AuditActor.System("audit-retention"), AuditTarget.Organization(organization),
                Details: new Dictionary<string, string>
                {
                    ["from"] = (mark + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["upTo"] = cut.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["retentionDays"] = retention.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["archiveSha256"] = archive.Sha256,
                }));
            await db.SaveChangesAsync(cancellationToken);
            // The delete guard on the audit table allows this only because the mark above is already in the table.
            var removed = await db.AuditEvents.Where(e => e.OrganizationId == organization && e.Sequence <= cut.Sequence).ExecuteDeleteAsync(cancellationToken);
            // Last before the commit: anything that fails rolls the deletion back and leaves no archive behind; only
            // a failed commit can leave one (Place keeps such a file when a later run writes the same bytes).
            archive.Place();
            await transaction.CommitAsync(cancellationToken);
            return new AuditRetentionOutcome(new AuditPruneResult(cut.Sequence, removed, archive.Path, archive.Sha256), hold);
        }
        finally
        {
            archive.DiscardTemporary();
        }
    }

    private AuditRetentionOutcome Overtaken(Guid organization, AuditSiemHold? hold)
    {
        logger.LogInformation("Audit retention of organization {Organization}: another run pruned the chain meanwhile; this run leaves it to that one.", organization);
        return new AuditRetentionOutcome(null, hold);
    }

    /// <summary>How far the SIEM forwarder has confirmed this chain; 0 before its first delivery.</summary>
    private async Task<long> SiemCursorAsync(Guid organization, CancellationToken cancellationToken)
    {
        var key = SiemCursor.ChainKey(organization);
        return await db.Set<SiemCursor>().AsNoTracking().Where(c => c.Chain == key).Select(c => (long?)c.Sequence).SingleOrDefaultAsync(cancellationToken) ?? 0;
    }

    /// <summary>
    /// Due: the newest signed checkpoint above the current mark whose event is older than <paramref name="cutoff"/>.
    /// Cut: the newest such checkpoint that is also at or below <paramref name="limit"/> (the SIEM cursor), if any.
    /// </summary>
    private async Task<(AuditCheckpoint? Due, AuditCheckpoint? Cut)> CutAsync(Guid organization, long mark, DateTimeOffset cutoff, long? limit, CancellationToken cancellationToken)
    {
        AuditCheckpoint? due = null;
        var checkpoints = await db.AuditCheckpoints.AsNoTracking()
            .Where(c => c.OrganizationId == organization && c.Sequence > mark)
            .OrderByDescending(c => c.Sequence)
            .ToListAsync(cancellationToken);
        foreach (var checkpoint in checkpoints)
        {
            var at = await db.AuditEvents.AsNoTracking()
                .Where(e => e.OrganizationId == organization && e.Sequence == checkpoint.Sequence)
                .Select(e => new { e.Hash, e.OccurredAt })
                .SingleOrDefaultAsync(cancellationToken);
            if (at is not null && at.Hash == checkpoint.Hash && at.OccurredAt < cutoff)
            {
                due ??= checkpoint;
                if (limit is null || checkpoint.Sequence <= limit)
                {
                    return (due, checkpoint);
                }
            }
        }

        return (due, null);
    }

    private async Task<long> MarkAsync(Guid organization, CancellationToken cancellationToken) =>
        await db.AuditPrunes.Where(p => p.OrganizationId == organization).MaxAsync(p => (long?)p.UpToSequence, cancellationToken) ?? 0;

    /// <summary>Writes events <paramref name="from"/> to the cut to a temporary file beside the archive's final name.</summary>
    private async Task<AuditArchiveFile> ArchiveAsync(Guid organization, long from, AuditCheckpoint cut, CancellationToken cancellationToken)
    {
        var archive = AuditArchiveFile.For(auditOptions.Value.Retention.ResolveArchiveDirectory(dataDirectory.Value), organization, from, cut.Sequence);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(archive.Path)!);
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // audit data: the service account only
        }

        try
        {
            await using var file = new FileStream(archive.TemporaryPath, fileOptions);
            var events = db.AuditEvents.AsNoTracking()
                .Where(e => e.OrganizationId == organization && e.Sequence >= from && e.Sequence <= cut.Sequence)
                .OrderBy(e => e.Sequence)
                .AsAsyncEnumerable();
            await AuditExportWriter.WriteAsync(AuditExportFormat.JsonLines, events, file, cancellationToken);
            await file.FlushAsync(cancellationToken);
            file.Position = 0;
            archive.Sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
            return archive;
        }
        catch
        {
            archive.DiscardTemporary();
            throw;
        }
    }
}
