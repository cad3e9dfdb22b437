namespace Kastell.Server.Platform.Email;

/// <summary>Sends queued messages one by one; a failure is logged (kind only, no address, no body) and the next goes on.</summary>
internal sealed class EmailDispatcher(EmailQueue queue, IEmailSender sender, ILogger<EmailDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var message in queue.Reader.ReadAllAsync(stoppingToken))
        {
            await SendWithRetriesAsync(message, stoppingToken);
        }
    }

    private async Task SendWithRetriesAsync(EmailMessage message, CancellationToken stoppingToken)
    {
        // The kind only: recipients and bodies (with their links and tokens) never go into telemetry.
        using var activity = Observability.KastellTelemetry.Jobs.StartActivity("email.send");
        activity?.SetTag("kastell.email.kind", message.Kind);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await sender.SendAsync(message, stoppingToken);
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                if (attempt >= RetryDelays.Length)
                {
                    // The exception type and message come from the transport, never from the body with its token.
                    logger.LogError("Sending a {Kind} e-mail failed after {Attempts} attempts: {Error}", message.Kind, attempt + 1, exception.GetType().Name + ": " + exception.Message);
                    return;
                }

                await Task.Delay(RetryDelays[attempt], stoppingToken);
            }
        }
    }
}
