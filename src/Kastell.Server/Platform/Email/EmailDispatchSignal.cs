namespace Kastell.Server.Platform.Email;

/// <summary>Wakes the dispatcher when mail was queued or a delivery finished, so it need not wait for its next look.</summary>
public sealed class EmailDispatchSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake.
        }
    }

    /// <summary>Waits for <see cref="Wake"/> or the timeout, whichever comes first.</summary>
    internal Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
