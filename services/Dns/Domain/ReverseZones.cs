using System.Net;
using System.Net.Sockets;

namespace ProMTA.Dns.Domain;

/// <summary>Names in the in-addr.arpa tree. We keep one reverse zone per IPv4 /24, the usual delegation unit.</summary>
public static class ReverseZones
{
    public static string PtrName(string ip)
    {
        var bytes = ParseV4(ip);
        return $"{bytes[3]}.{bytes[2]}.{bytes[1]}.{bytes[0]}.in-addr.arpa.";
    }

    public static string ZoneOf(string ip)
    {
        var bytes = ParseV4(ip);
        return $"{bytes[2]}.{bytes[1]}.{bytes[0]}.in-addr.arpa.";
    }

    /// <summary>The DNS form of a name: lower case with the trailing dot.</summary>
    public static string Fqdn(string name) => name.TrimEnd('.').ToLowerInvariant() + ".";

    private static byte[] ParseV4(string ip) =>
        IPAddress.TryParse(ip, out var address) && address.AddressFamily == AddressFamily.InterNetwork
            ? address.GetAddressBytes()
            : throw new ArgumentException($"'{ip}' is not an IPv4 address", nameof(ip));
}
