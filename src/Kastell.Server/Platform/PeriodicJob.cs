namespace Kastell.Server.Platform;

/// <summary>
/// A job the server runs on a schedule: the first pass comes soon after start-up (a server restarted more often than
/// the interval would otherwise never run it), then one pass per interval, until shutdown. A pass handles and logs its
/// own failures; nothing here can stop the host.
/// </summary>
internal abstract class PeriodicJob(TimeProvider time) : BackgroundService
{
    /// <summary>Time between passes; null or zero switches the job off.</summary>
    protected abstract TimeSpan? Interval { get; }

    /// <summary>How soon after start-up the first pass comes (or after one interval, if shorter).</summary>
    protected abstract TimeSpan FirstRunDelay { get; }

    protected abstract Task RunPassAsync(CancellationToken cancellationToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Interval is not { } interval || interval <= TimeSpan.Zero)
        {
            return;
        }

        var delay = interval < FirstRunDelay ? interval : FirstRunDelay;
        try
        {
            while (true)
            {
                await Task.Delay(delay, time, stoppingToken);
                await RunPassAsync(stoppingToken);
                delay = interval;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
