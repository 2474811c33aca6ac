using System.Net;
using DnsClient;

namespace ProMTA.ServiceDefaults.Net;

public static class DnsLookups
{
    /// <summary>A client of <paramref name="resolvers"/> whose DNS errors are answers to read, not exceptions.</summary>
    public static LookupClient NewClient(IEnumerable<IPEndPoint> resolvers, bool useCache) => new(new LookupClientOptions([.. resolvers])
    {
        UseCache = useCache,
        Timeout = TimeSpan.FromSeconds(5),
        Retries = 2,
        ThrowDnsErrors = false,
        ContinueOnDnsError = false,
    });
}
