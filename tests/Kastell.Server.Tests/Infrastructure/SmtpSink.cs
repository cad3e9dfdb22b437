using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Kastell.Server.Tests.Infrastructure;

/// <summary>
/// A real SMTP server on a free loopback port for the whole test process; it accepts every message and keeps it.
/// Tests run in parallel and share it, so each test sends to its own recipient address and waits for that address
/// with <see cref="WaitForMessageAsync"/>.
/// </summary>
public sealed class SmtpSink : IAsyncLifetime
{
    private const string ServerName = "kastell-test-smtp";
    private static readonly TimeSpan DefaultWaitTimeout = TimeSpan.FromSeconds(10);
    // A client that stalls must not keep a session task alive for the rest of the run.
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromMinutes(2);

    private readonly Lock gate = new();
    private readonly List<ReceivedMessage> messages = [];
    private readonly List<Waiter> waiters = [];
    private readonly ConcurrentQueue<Exception> faults = new();
    private readonly ConcurrentDictionary<Task, bool> sessions = new();
    private readonly ConcurrentDictionary<string, string> refusals = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> refused = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource stopping = new();
    private TcpListener? listener;
    private Task? acceptLoop;

    public string Host => IPAddress.Loopback.ToString();

    public int Port { get; private set; }

    /// <summary>Every message received so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedMessage> Messages
    {
        get
        {
            lock (gate)
            {
                return [.. messages];
            }
        }
    }

    /// <summary>Unexpected errors inside the sink itself (not client disconnects); tests can assert there are none.</summary>
    public IReadOnlyCollection<Exception> Faults => [.. faults];

    public ValueTask InitializeAsync()
    {
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        acceptLoop = AcceptLoopAsync(listener);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Returns the first message (already received or still to come) whose envelope includes <paramref name="to"/>
    /// and that satisfies <paramref name="predicate"/>.
    /// </summary>
    /// <exception cref="TimeoutException">No such message arrived in time; the message lists what did arrive.</exception>
    public async Task<ReceivedMessage> WaitForMessageAsync(
        string to,
        Func<ReceivedMessage, bool>? predicate = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var waiter = new Waiter(message => message.IsAddressedTo(to) && (predicate?.Invoke(message) ?? true));
        lock (gate)
        {
            var existing = messages.FirstOrDefault(waiter.Matches);
            if (existing is not null)
            {
                return existing;
            }
            waiters.Add(waiter);
        }

        var limit = timeout ?? DefaultWaitTimeout;
        try
        {
            return await waiter.Arrival.Task.WaitAsync(limit, cancellationToken);
        }
        catch (TimeoutException)
        {
            var received = Messages;
            throw new TimeoutException(
                $"No matching message to <{to}> within {limit.TotalSeconds:0.#} s. Received {received.Count}: "
                + (received.Count == 0 ? "none" : string.Join("; ", received)));
        }
        finally
        {
            lock (gate)
            {
                waiters.Remove(waiter);
            }
        }
    }

    /// <summary>
    /// From now on answers RCPT TO for <paramref name="address"/> with <paramref name="reply"/> (e.g.
    /// <c>451 4.3.0 Try again later</c> or <c>550 5.1.1 No such user</c>), until <see cref="Accept"/>.
    /// </summary>
    public void Refuse(string address, string reply) => refusals[address] = reply;

    public void Accept(string address) => refusals.TryRemove(address, out _);

    /// <summary>How often RCPT TO for <paramref name="address"/> was refused so far: the sender's attempts.</summary>
    public int RefusedAttempts(string address) => refused.GetValueOrDefault(address);

    private string? RefusalFor(string address)
    {
        if (!refusals.TryGetValue(address, out var reply))
        {
            return null;
        }

        refused.AddOrUpdate(address, 1, (_, n) => n + 1);
        return reply;
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener?.Stop();
        if (acceptLoop is not null)
        {
            await acceptLoop;
        }
        await Task.WhenAll(sessions.Keys);
        stopping.Dispose();
    }

    private async Task AcceptLoopAsync(TcpListener server)
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await server.AcceptTcpClientAsync(stopping.Token);
            }
            catch (Exception exception) when (stopping.IsCancellationRequested
                && exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            var session = ServeAsync(client);
            sessions.TryAdd(session, true);
            _ = session.ContinueWith(finished => sessions.TryRemove(finished, out _), TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var connection = client;
        using var sessionLifetime = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
        sessionLifetime.CancelAfter(SessionTimeout);
        try
        {
            await using var stream = connection.GetStream();
            await new SmtpSession(stream, ServerName, Deliver, RefusalFor).RunAsync(sessionLifetime.Token);
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException
            or EndOfStreamException)
        {
            // The client went away or the sink is stopping: nothing to record.
        }
        catch (Exception exception)
        {
            faults.Enqueue(exception);
        }
    }

    private void Deliver(ReceivedMessage message)
    {
        lock (gate)
        {
            messages.Add(message);
            foreach (var waiter in waiters)
            {
                waiter.Offer(message);
            }
        }
    }

    private sealed class Waiter(Func<ReceivedMessage, bool> condition)
    {
        public TaskCompletionSource<ReceivedMessage> Arrival { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Matches(ReceivedMessage message) => condition(message);

        public void Offer(ReceivedMessage message)
        {
            try
            {
                if (condition(message))
                {
                    Arrival.TrySetResult(message);
                }
            }
            catch (Exception exception)
            {
                // A throwing predicate fails the waiting test, not the SMTP session that delivered the message.
                Arrival.TrySetException(exception);
            }
        }
    }
}
