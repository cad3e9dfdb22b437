using System.Net;
using System.Net.Sockets;

namespace Kastell.Server.Platform.Http.Outbound;

/// <summary>
/// HTTP to addresses an administrator supplied (SSRF-safe): every connection — the first request and each redirect —
/// resolves the host itself, refuses it unless every address it resolves to is public (<see cref="PublicAddresses"/>),
/// and connects to exactly the address it vetted, so a DNS answer that changes between check and connect (rebinding)
/// cannot switch it to an internal one. No proxy: a proxy would connect on Kastell's behalf, past the check.
/// </summary>
public static class PublicOnlyHttp
{
    /// <summary>A handler for one client; <paramref name="allowLoopback"/> only for a provider on this machine (tests, development).</summary>
    public static SocketsHttpHandler CreateHandler(bool allowLoopback) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = true,
        MaxAutomaticRedirections = 3,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, allowLoopback, cancellationToken),
    };

    /// <summary>A named client whose connections go through <see cref="CreateHandler"/>; <paramref name="allowLoopback"/> is asked once per handler.</summary>
    public static IHttpClientBuilder AddPublicOnlyHttpClient(this IServiceCollection services, string name, Func<IServiceProvider, bool> allowLoopback) =>
        services.AddHttpClient(name).ConfigurePrimaryHttpMessageHandler(sp => CreateHandler(allowLoopback(sp)));

    internal static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowLoopback, CancellationToken cancellationToken)
    {
        var host = endpoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        // One internal address among public ones is refused as well: which one a connection would use is not ours to pick.
        if (addresses.Length == 0 || addresses.Any(a => !PublicAddresses.IsAllowed(a, allowLoopback)))
        {
            throw new OutboundAddressRefusedException();
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }
}

/// <summary>The host of an outbound request is, or resolves to, an address that is not public.</summary>
public sealed class OutboundAddressRefusedException() : IOException("The host is not on a public address; the request was not sent.");
