using System.Net;
using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Options;
using ProMTA.Delivery.Domain;
using ProMTA.ServiceDefaults.Net;

namespace ProMTA.Delivery.Outbound;

public sealed record MxTarget(string Host, IPEndPoint EndPoint);

/// <summary>Where mail for a domain goes, or why it cannot go: permanent (bounce) or temporary (retry).</summary>
public sealed record Route(IReadOnlyList<MxTarget> Targets, string? Error, bool Permanent)
{
    public static Route Failed(string error, bool permanent) => new([], error, permanent);
}

/// <summary>MX by preference, each resolved to its A records; a domain without MX falls back to its own A (RFC 5321 5.1).</summary>
public sealed class MxResolver
{
    private readonly OutboundOptions options;
    private readonly LookupClient dns;

    public MxResolver(IOptions<OutboundOptions> options)
    {
        this.options = options.Value;
        dns = DnsLookups.NewClient(this.options.ResolverEndpoints(), useCache: true);
    }

    public async Task<Route> ResolveAsync(string domain, CancellationToken ct)
    {
        if (options.Routes.TryGetValue(domain, out var route))
        {
            return new Route([new MxTarget(domain, IPEndPoint.Parse(route))], null, false);
        }
        IDnsQueryResponse mx;
        try
        {
            mx = await dns.QueryAsync(domain, QueryType.MX, cancellationToken: ct);
        }
        catch (DnsResponseException ex)
        {
            return Route.Failed($"4.4.3 DNS lookup of {domain} failed: {ex.Message}", permanent: false);
        }
        if (mx.HasError)
        {
            return mx.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain
                ? Route.Failed($"5.1.2 Domain {domain} does not exist", permanent: true)
                : Route.Failed($"4.4.3 DNS lookup of {domain} failed: {mx.ErrorMessage}", permanent: false);
        }
        var exchanges = mx.Answers.MxRecords().OrderBy(r => r.Preference).Select(r => r.Exchange.Value.TrimEnd('.')).ToList();
        if (exchanges is [""])
        {
            return Route.Failed($"5.1.10 Domain {domain} accepts no mail (null MX)", permanent: true);
        }
        if (exchanges.Count == 0) exchanges = [domain];
        var targets = new List<MxTarget>();
        var internalOnly = false;
        foreach (var host in exchanges)
        {
            var a = await dns.QueryAsync(host, QueryType.A, cancellationToken: ct);
            foreach (var record in a.Answers.ARecords())
            {
                if (!options.AllowInternalMxAddresses && InternalAddresses.Contains(record.Address))
                {
                    internalOnly = true;
                    continue;
                }
                targets.Add(new MxTarget(host, new IPEndPoint(record.Address, options.MxPort)));
            }
        }
        if (targets.Count > 0) return new Route(targets, null, false);
        // Someone pointed a domain's MX at a loopback or private address: never a real mail server of the internet.
        return internalOnly
            ? Route.Failed($"5.4.4 The mail servers of {domain} resolve only to internal addresses; not delivered", permanent: true)
            : Route.Failed($"4.4.4 No address found for the mail servers of {domain}", permanent: false);
    }
}
