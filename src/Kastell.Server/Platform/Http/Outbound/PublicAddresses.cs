using System.Net;
using System.Net.Sockets;

namespace Kastell.Server.Platform.Http.Outbound;

/// <summary>
/// Which IP addresses a request to an address someone else typed (an identity provider's issuer, a metadata URL) may
/// reach: the public internet only. Refused are the machine itself (loopback, unless explicitly allowed for a provider
/// on this machine), private networks (RFC 1918, carrier-grade NAT, IPv6 unique local), link-local (169.254/16 with the
/// cloud metadata service at 169.254.169.254, fe80::/10), unspecified, broadcast, multicast and reserved ranges, and
/// every IPv6 form that carries such an IPv4 address inside (mapped, compatible, NAT64, 6to4).
/// </summary>
public static class PublicAddresses
{
    public static bool IsAllowed(IPAddress address, bool allowLoopback)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.IsIPv4MappedToIPv6)
            {
                return IsAllowed(address.MapToIPv4(), allowLoopback);
            }

            var bytes = address.GetAddressBytes();
            if (address.Equals(IPAddress.IPv6Loopback))
            {
                return allowLoopback;
            }

            if (bytes.Take(12).All(b => b == 0))
            {
                return false; // :: (unspecified) and the deprecated IPv4-compatible ::a.b.c.d
            }

            if (IsNat64(bytes))
            {
                return IsAllowed(new IPAddress(bytes[12..]), allowLoopback: false);
            }

            if (bytes[0] == 0x20 && bytes[1] == 0x02)
            {
                return IsAllowed(new IPAddress(bytes[2..6]), allowLoopback: false); // 6to4 carries an IPv4 address
            }

            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (bytes[0] & 0xfe) == 0xfc // fc00::/7, unique local
                || (bytes[0] == 0x01 && bytes[1] == 0x00 && bytes.Skip(2).Take(6).All(b => b == 0)) // 100::/64, discard
                || (bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0d && bytes[3] == 0xb8)); // 2001:db8::/32, documentation
        }

        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        var v4 = address.GetAddressBytes();
        if (v4[0] == 127)
        {
            return allowLoopback;
        }

        return !(v4[0] == 0 // "this network", 0.0.0.0
            || v4[0] == 10
            || (v4[0] == 100 && (v4[1] & 0xc0) == 64) // 100.64/10, carrier-grade NAT
            || (v4[0] == 169 && v4[1] == 254) // link-local, cloud metadata
            || (v4[0] == 172 && (v4[1] & 0xf0) == 16)
            || (v4[0] == 192 && v4[1] == 0 && v4[2] == 0) // IETF protocol assignments
            || (v4[0] == 192 && v4[1] == 0 && v4[2] == 2) // documentation
            || (v4[0] == 192 && v4[1] == 168)
            || (v4[0] == 198 && (v4[1] & 0xfe) == 18) // benchmarking
            || (v4[0] == 198 && v4[1] == 51 && v4[2] == 100) // documentation
            || (v4[0] == 203 && v4[1] == 0 && v4[2] == 113) // documentation
            || v4[0] >= 224); // multicast, reserved, broadcast
    }

    /// <summary>64:ff9b::/96 (RFC 6052) and 64:ff9b:1::/48 (RFC 8215): an IPv4 address reached through NAT64.</summary>
    private static bool IsNat64(byte[] bytes) =>
        bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b
        && (bytes.Skip(4).Take(8).All(b => b == 0) || (bytes[4] == 0x00 && bytes[5] == 0x01));
}
