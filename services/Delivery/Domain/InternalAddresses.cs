using System.Net;
using System.Net.Sockets;

namespace ProMTA.Delivery.Domain;

/// <summary>
/// Addresses that only mean something inside a network: loopback, RFC 1918 and RFC 4193 private ranges, link-local,
/// carrier-grade NAT, unspecified and multicast. An MX that resolves there would make our outbound port 25 a probe into
/// the hosting network (SSRF), so such MX hosts are never connected to outside local runs.
/// </summary>
public static class InternalAddresses
{
    public static bool Contains(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) return true;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || (b[0] & 0xFE) == 0xFC;
        }
        var v4 = address.GetAddressBytes();
        return v4[0] switch
        {
            0 or 10 or 127 => true,
            100 => v4[1] is >= 64 and <= 127,          // 100.64.0.0/10, carrier-grade NAT
            169 => v4[1] == 254,                       // link-local
            172 => v4[1] is >= 16 and <= 31,
            192 => v4[1] == 168,
            >= 224 => true,                            // multicast and reserved
            _ => false,
        };
    }
}
