using System.Diagnostics.Metrics;

namespace Kastell.FileList.Benchmarks;

/// <summary>
/// Listens to two instruments of the host in this process: ASP.NET Core's <c>http.server.request.duration</c> (the
/// server's time for a whole request, seconds) and Kastell's <c>kastell.authorization.duration</c> (each decision of
/// the authorization engine — checks, ListObjects, ListUsers — milliseconds). Requests are sent one at a time, so every
/// authorization measurement between two request measurements belongs to the request that ends next.
/// </summary>
internal sealed class RequestMeter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private double _authorizationMs;
    private int _decisions;
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
                    _decisions++;
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Forgets what was measured so far (the previous request, sign-in, warm-up).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _authorizationMs = 0;
            _decisions = 0;
            _serverMs = null;
        }
    }

    /// <summary>The request that just completed: server time, authorization time, number of engine decisions.</summary>
    public async Task<(double ServerMs, double AuthorizationMs, int Decisions)> TakeAsync()
    {
        // The host records the request's duration when its pipeline unwinds, which can be just after the client has
        // read the last byte.
        for (var wait = 0; wait < 1000; wait++)
        {
            lock (_gate)
            {
                if (_serverMs is { } server)
                {
                    var taken = (server, _authorizationMs, _decisions);
                    _authorizationMs = 0;
                    _decisions = 0;
                    _serverMs = null;
                    return taken;
                }
            }

            await Task.Delay(1);
        }

        throw new InvalidOperationException("The host recorded no request duration: is http.server.request.duration still published?");
    }

    public void Dispose() => _listener.Dispose();
}
