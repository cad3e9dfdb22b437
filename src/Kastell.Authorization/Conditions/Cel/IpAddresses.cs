using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Kastell.Authorization.Conditions.Cel;

/// <summary>
/// Strict IP address and CIDR parsing in the manner of Go's <c>net/netip</c>, which OpenFGA uses. .NET's
/// <see cref="IPAddress.TryParse(string, out IPAddress)"/> alone is too lenient (it accepts <c>"1"</c>,
/// <c>"0x7f.1"</c> or leading zeros), and an address accepted here must mean the same thing it means to OpenFGA.
/// </summary>
internal static class IpAddresses
{
    public static bool TryParse(string text, out CelIpAddress address)
    {
        address = null!;
        if (text.Contains(':'))
        {
            // IPv6, optionally with a zone; IPAddress handles the many textual forms (::, embedded IPv4) correctly.
            if (text.Contains('/') || text.StartsWith('[') || !IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            address = new CelIpAddress(v6);
            return true;
        }

        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        var bytes = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            var p = parts[i];
            if (p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit) || (p.Length > 1 && p[0] == '0'))
            {
                return false;
            }

            var value = int.Parse(p, CultureInfo.InvariantCulture);
            if (value > 255)
            {
                return false;
            }

            bytes[i] = (byte)value;
        }

        address = new CelIpAddress(new IPAddress(bytes));
        return true;
    }

    /// <summary>
    /// Whether <paramref name="address"/> lies in the network <paramref name="cidr"/> (<c>10.0.0.0/8</c>, <c>2001:db8::/32</c>).
    /// As in netip, an IPv4 address is never inside an IPv6 network or the reverse, and a zoned address is in no network.
    /// </summary>
    public static bool? InCidr(CelIpAddress address, string cidr)
    {
        var slash = cidr.IndexOf('/');
        if (slash < 0)
        {
            return null;
        }

        var bitsText = cidr[(slash + 1)..];
        if (!TryParse(cidr[..slash], out var network) || cidr.Contains('%')
            || bitsText.Length is 0 or > 3 || !bitsText.All(char.IsAsciiDigit) || (bitsText.Length > 1 && bitsText[0] == '0'))
        {
            return null;
        }

        var bits = int.Parse(bitsText, CultureInfo.InvariantCulture);
        var networkBytes = network.Address.GetAddressBytes();
        if (bits > networkBytes.Length * 8)
        {
            return null;
        }

        var candidate = address.Address;
        if (candidate.AddressFamily != network.Address.AddressFamily || HasZone(candidate))
        {
            return false;
        }

        var candidateBytes = candidate.GetAddressBytes();
        for (var i = 0; i < networkBytes.Length && bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
            if ((candidateBytes[i] & mask) != (networkBytes[i] & mask))
            {
                return false;
            }
        }

        return true;
    }

    // ScopeId throws for IPv4 addresses, so ask only IPv6 ones.
    private static bool HasZone(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0;
}
