using System.Net;
using DnsClient;
using DnsClient.Protocol;
using ProMTA.Dns.Domain;

namespace ProMTA.Dns.Lookups;

/// <summary>
/// One DNS server asked directly over DNS, never from a cache: what a resolver (or our authoritative server) answers
/// now. Answers come back in the form <see cref="DnsRecord.Value"/> uses, so they compare with what we publish.
/// </summary>
public sealed class DnsLookup(IPEndPoint server)
{
    private readonly LookupClient client = new(new LookupClientOptions(server)
    {
        UseCache = false, Retries = 1, Timeout = TimeSpan.FromSeconds(2), UseTcpFallback = true,
    });

    public IPEndPoint Server => server;

    /// <summary>The values of the rrset <paramref name="name"/>/<paramref name="type"/>; null when the server did not answer at all.</summary>
    public async Task<IReadOnlyList<string>?> ValuesAsync(string name, string type, CancellationToken ct)
    {
        if (!Enum.TryParse<QueryType>(type, out var queryType)) throw new ArgumentException($"unsupported record type {type}", nameof(type));
        var response = await QueryAsync(name, queryType, ct);
        return response?.Answers
            .Where(a => ReverseZones.Fqdn(a.DomainName.Value) == ReverseZones.Fqdn(name) && a.RecordType.ToString() == type)
            .Select(Render).OfType<string>().Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The raw response; null on a timeout or an unreachable server (to the caller, "not seen").</summary>
    public async Task<IDnsQueryResponse?> QueryAsync(string name, QueryType type, CancellationToken ct)
    {
        try
        {
            return await client.QueryAsync(name, type, cancellationToken: ct);
        }
        catch (DnsResponseException)
        {
            return null;
        }
    }

    /// <summary>An answer as we write values: TXT as its character-strings joined, MX as "preference exchange.", names as FQDNs.</summary>
    public static string? Render(DnsResourceRecord answer) => answer switch
    {
        ARecord a => a.Address.ToString(),
        TxtRecord txt => string.Concat(txt.Text),
        MxRecord mx => $"{mx.Preference} {ReverseZones.Fqdn(mx.Exchange.Value)}",
        PtrRecord ptr => ReverseZones.Fqdn(ptr.PtrDomainName.Value),
        NsRecord ns => ReverseZones.Fqdn(ns.NSDName.Value),
        _ => null,
    };
}
