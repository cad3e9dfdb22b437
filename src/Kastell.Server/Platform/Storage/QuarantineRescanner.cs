using System.Diagnostics;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Observability;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Storage;

/// <summary>What one rescan pass did, over all organizations.</summary>
internal sealed record RescanPass(int Released, int Rejected, int StillHeld, int Failed);

/// <summary>
/// Scans quarantined files again on a schedule (<c>Kastell:Storage:RescanInterval</c>), so that files held back while
/// clamd was down are released (or removed, if infected) once it is back, without anyone having to ask. A pass stops
/// at the first file clamd cannot be reached for (or times out on): it is evidently still down, and waiting for its
/// timeout once per held file would only delay the next pass. A file clamd refuses as too long stays held and the pass
/// goes on. Every release and removal is audited by <see cref="Uploads"/> as
/// the system actor <c>quarantine-rescan</c>; failures are logged without file names or content and retried next time.
/// </summary>
internal sealed class QuarantineRescanner(
    TenantScopes services,
    ClamdScanner scanner,
    IOptions<StorageOptions> options,
    TimeProvider time,
    ILogger<QuarantineRescanner> logger) : PeriodicJob(time)
{
    internal static readonly AuditActor Actor = AuditActor.System("quarantine-rescan");

    protected override TimeSpan? Interval => options.Value.RescanInterval;

    protected override TimeSpan FirstRunDelay => TimeSpan.FromMinutes(1);

    protected override Task RunPassAsync(CancellationToken cancellationToken) => RunOnceAsync(cancellationToken);

    /// <summary>One pass over every organization's quarantined files.</summary>
    internal async Task<RescanPass> RunOnceAsync(CancellationToken cancellationToken)
    {
        using var activity = KastellTelemetry.Jobs.StartActivity("storage.rescan", ActivityKind.Internal);
        var pass = new RescanPass(0, 0, 0, 0);
        try
        {
            List<Guid> organizations;
            await using (var scope = services.Open(Actor))
            {
                organizations = await scope.Services.GetRequiredService<KastellDbContext>().Organizations.AsNoTracking()
                    .Select(o => o.Id).ToListAsync(cancellationToken);
            }

            foreach (var organization in organizations)
            {
                (pass, var scannerDown) = await RescanAsync(organization, pass, cancellationToken);
                if (scannerDown)
                {
                    break;
                }
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The organization list could not be read (database down): try again at the next pass.
            logger.LogWarning("The quarantine rescan could not run; it is tried again at the next pass: {Error}", exception.GetType().Name + ": " + exception.Message);
            return pass with { Failed = pass.Failed + 1 };
        }

        if (pass != new RescanPass(0, 0, 0, 0))
        {
            logger.LogInformation("Quarantine rescan: {Released} released, {Rejected} removed, {Held} still held, {Failed} failed",
                pass.Released, pass.Rejected, pass.StillHeld, pass.Failed);
        }

        activity?.SetTag("kastell.storage.rescan.released", pass.Released);
        activity?.SetTag("kastell.storage.rescan.failed", pass.Failed);
        return pass;
    }

    private async Task<(RescanPass Pass, bool ScannerDown)> RescanAsync(Guid organization, RescanPass pass, CancellationToken cancellationToken)
    {
        await using var scope = services.Enter(organization, Actor);
        var uploads = ActivatorUtilities.CreateInstance<Uploads>(scope.Services, scanner);
        foreach (var file in await uploads.QuarantinedAsync(cancellationToken))
        {
            try
            {
                var result = await uploads.RescanAsync(file, Actor, cancellationToken);
                switch (result.Outcome)
                {
                    case UploadOutcome.Accepted:
                        pass = pass with { Released = pass.Released + 1 };
                        break;
                    case UploadOutcome.Quarantined when result.HeldBecause == ScanResult.ScannerUnavailable:
                        return (pass with { StillHeld = pass.StillHeld + 1 }, true);
                    case UploadOutcome.Quarantined:
                        // A verdict clamd cannot give for this file alone (longer than its StreamMaxLength): the
                        // scanner is up, so the files after it are scanned.
                        pass = pass with { StillHeld = pass.StillHeld + 1 };
                        break;
                    case UploadOutcome.Gone:
                        break;
                    default:
                        pass = pass with { Rejected = pass.Rejected + 1 };
                        break;
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Rescanning file {File} of organization {Organization} failed; it is tried again at the next pass: {Error}",
                    file, organization, exception.GetType().Name + ": " + exception.Message);
                pass = pass with { Failed = pass.Failed + 1 };
            }
        }

        return (pass, false);
    }
}
