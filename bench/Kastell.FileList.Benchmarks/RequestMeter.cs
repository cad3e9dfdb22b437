using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Kastell.FileList.Benchmarks;

/// <summary>What one request cost: the server's time, the time in authorization, and what was asked of engine and database.</summary>
internal readonly record struct Measured(double ServerMs, double AuthorizationMs, int Questions, int Queries, int TupleQueries);

/// <summary>
/// Listens to the host in this process: ASP.NET Core's <c>http.server.request.duration</c> (the server's time for a
/// whole request, seconds), Kastell's <c>kastell.authorization.duration</c> (each question to the authorization engine
/// — a check, a list — tuple reads included, milliseconds) and EF Core's executed commands (all, and those reading
/// the tuple table). Requests are sent one at a time, so everything measured between two request measurements belongs
/// to the request that ends next.
/// </summary>
internal sealed class RequestMeter : IDisposable, IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
{
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly List<IDisposable> _subscriptions = [];
    private double _authorizationMs;
    private int _questions;
    private int _queries;
    private int _tupleQueries;
    private double? _serverMs;

    public RequestMeter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if ((instrument.Meter.Name, instrument.Name) is ("Microsoft.AspNetCore.Hosting", "http.server.request.duration") or ("Kastell", "kastell.authorization.duration"))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            lock (_gate)
            {
                if (instrument.Name == "http.server.request.duration")
                {
                    _serverMs = value * 1000;
                }
                else
                {
                    _authorizationMs += value;
                    _questions++;
                }
            }
        });
        _listener.Start();
        _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
    }

    /// <summary>Forgets what was measured so far (the previous request, sign-in, warm-up).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            (_authorizationMs, _questions, _queries, _tupleQueries, _serverMs) = (0, 0, 0, 0, null);
        }
    }

    /// <summary>The request that just completed.</summary>
    public async Task<Measured> TakeAsync()
    {
        // The host records the request's duration when its pipeline unwinds, which can be just after the client has
        // read the last byte.
        for (var wait = 0; wait < 1000; wait++)
        {
            lock (_gate)
            {
                if (_serverMs is { } server)
                {
                    var taken = new Measured(server, _authorizationMs, _questions, _queries, _tupleQueries);
                    (_authorizationMs, _questions, _queries, _tupleQueries, _serverMs) = (0, 0, 0, 0, null);
                    return taken;
                }
            }

            await Task.Delay(1);
        }

        throw new InvalidOperationException("The host recorded no request duration: is http.server.request.duration still published?");
    }

    public void Dispose()
    {
        _listener.Dispose();
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }
    }

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener value)
    {
        if (value.Name == DbLoggerCategory.Name)
        {
            lock (_gate)
            {
                _subscriptions.Add(value.Subscribe(this, name => name == RelationalEventId.CommandExecuted.Name));
            }
        }
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Value is CommandExecutedEventData executed)
        {
            lock (_gate)
            {
                _queries++;
                if (executed.Command.CommandText.Contains("authz_tuples", StringComparison.Ordinal))
                {
                    _tupleQueries++;
                }
            }
        }
    }

    void IObserver<DiagnosticListener>.OnCompleted()
    {
    }

    void IObserver<DiagnosticListener>.OnError(Exception error)
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnCompleted()
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error)
    {
    }
}
