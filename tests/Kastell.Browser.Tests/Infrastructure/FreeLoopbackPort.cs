using System.Net;
using System.Net.Sockets;

namespace Kastell.Browser.Tests.Infrastructure;

internal static class FreeLoopbackPort
{
    /// <summary>
    /// Asks the kernel for a port that is free right now. Another process can take it before the server binds,
    /// so the server fixture retries with a new port when start-up fails.
    /// </summary>
    public static int Find()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
