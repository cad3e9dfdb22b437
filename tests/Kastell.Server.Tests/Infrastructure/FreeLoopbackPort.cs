using System.Net;
using System.Net.Sockets;

namespace Kastell.Server.Tests.Infrastructure;

internal static class FreeLoopbackPort
{
    /// <summary>
    /// Asks the kernel for a port that is free right now. Another process can take it before the caller binds,
    /// so callers that cannot bind the socket themselves retry with a new port.
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
