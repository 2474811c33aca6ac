using System.Net;
using System.Net.Sockets;

namespace ProMTA.Provisioning.Domain;

/// <summary>
/// An IPv4 block an operator adds to the pool, e.g. 203.0.113.0/24. At most a /16 at once (a typo must not add millions
/// of rows) and at least a /30 (two host addresses); the address must be the block's network address.
/// </summary>
public sealed record IpBlockRange(string Cidr, int Hosts)
{
    public const int LargestPrefix = 16;
    public const int SmallestPrefix = 30;

    public static bool TryParse(string? text, out IpBlockRange? range, out string problem)
    {
        range = null;
        if (!IPNetwork.TryParse(text?.Trim() ?? "", out var network) || network.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
        {
            problem = "cidr must be an IPv4 block such as 203.0.113.0/24.";
            return false;
        }
        if (network.PrefixLength is < LargestPrefix or > SmallestPrefix)
        {
            problem = $"cidr must be between a /{LargestPrefix} and a /{SmallestPrefix}.";
            return false;
        }
        if (!network.BaseAddress.Equals(IPAddress.Parse(text!.Trim().Split('/')[0])))
        {
            problem = $"cidr must start at its network address ({network}).";
            return false;
        }
        problem = "";
        range = new IpBlockRange(network.ToString(), (1 << (32 - network.PrefixLength)) - 2);
        return true;
    }
}
