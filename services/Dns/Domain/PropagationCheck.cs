using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace ProMTA.Dns.Domain;

/// <summary>
/// Asks DNS itself (not the API) whether a PTR and its forward A record answer, so "propagated" means a
/// resolver really sees it. Each query bypasses any cache.
/// </summary>
public sealed class PropagationCheck(IReadOnlyList<IPEndPoint> resolvers)
{
    public async Task<bool> AnswersAsync(string ip, string hostname, CancellationToken ct)
    {
        foreach (var resolver in resolvers)
        {
            var client = new LookupClient(new LookupClientOptions(resolver) { UseCache = false, Retries = 1, Timeout = TimeSpan.FromSeconds(2) });
            var ptr = await client.QueryAsync(ReverseZones.PtrName(ip), QueryType.PTR, cancellationToken: ct);
            if (!ptr.Answers.OfType<PtrRecord>().Any(r => SameName(r.PtrDomainName.Value, hostname))) return false;
            var a = await client.QueryAsync(hostname, QueryType.A, cancellationToken: ct);
            if (!a.Answers.OfType<ARecord>().Any(r => r.Address.ToString() == ip)) return false;
        }
        return true;
    }

    private static bool SameName(string a, string b) => ReverseZones.Fqdn(a) == ReverseZones.Fqdn(b);
}
