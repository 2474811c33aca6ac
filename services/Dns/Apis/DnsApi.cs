using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ProMTA.Dns.Data;
using ProMTA.Dns.Domain;
using ProMTA.Dns.Lookups;
using ProMTA.Dns.PowerDns;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Apis;

public sealed record RecordState(string Type, string Name, string Value, bool Live);
/// <summary>
/// <c>delegated</c> turns true once the domain's NS records (asked of Dns:DelegationResolvers) are ours; until then
/// <c>delegationSeen</c> shows the nameservers the world sees instead, as of <c>delegationCheckedAt</c>.
/// <c>domainStatus</c> is <c>pending</c> until the delegation is first seen (nothing but SOA and NS is published, and the
/// relay does not send as the domain), then <c>verified</c>; <c>instructions</c> says what to set at the registrar.
/// The top-level domain fields describe the service's first domain; <c>domains</c> lists every one.
/// </summary>
public sealed record ServiceDnsResponse(
    Guid ServiceId, string? SendingDomain, IReadOnlyList<string> Nameservers, bool Delegated, DateTimeOffset? DelegatedAt,
    IReadOnlyList<string> DelegationSeen, DateTimeOffset? DelegationCheckedAt, IReadOnlyList<RecordState> Records,
    string? DomainStatus, string? Instructions, IReadOnlyList<DomainDelegation> Domains);

/// <summary>One sending domain: <c>pending</c> until its delegation is first seen, then <c>verified</c>.</summary>
public sealed record DomainDelegation(
    string Domain, string Status, bool Delegated, DateTimeOffset? DelegatedAt, IReadOnlyList<string> DelegationSeen, DateTimeOffset? DelegationCheckedAt,
    string DmarcPolicy, string Instructions);

public static class DnsApi
{
    public static IEndpointRouteBuilder MapDnsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/services/{serviceId:guid}/dns", GetServiceDns).RequireAuthorization();
        return app;
    }

    /// <summary>The nameservers to enter at the registrar and every record we publish for the service, each asked of DNS now.</summary>
    private static async Task<Results<Ok<ServiceDnsResponse>, NotFound>> GetServiceDns(
        Guid serviceId, ClaimsPrincipal user, Database db, LiveRecordCheck live, IOptions<PowerDnsOptions> powerDns, IOptions<DnsOptions> dns,
        CancellationToken ct)
    {
        var service = await DnsServices.FindOwnedAsync(db, serviceId, user.CustomerId(), ct);
        if (service is null) return TypedResults.NotFound();
        var published = await PublishedRecords.ForServiceAsync(db, serviceId, ct);
        var states = await Task.WhenAll(published.Select(async p =>
        {
            var record = new DnsRecord(p.Name, p.Type, p.Value);
            return new RecordState(p.Type, p.Name, p.Value, await live.AnswersAsync(record, ct));
        }));
        var nameservers = powerDns.Value.Nameservers;
        var keyed = await DkimKeys.KeyedDomainsAsync(db, serviceId, ct);
        var domains = (await SendingDomains.ForServiceAsync(db, serviceId, ct)).Select(d =>
        {
            var verified = keyed.Contains(d.Domain);
            var instructions = $"At the registrar of {d.Domain}, set its nameservers (NS records) to {string.Join(" and ", nameservers.Select(n => n.TrimEnd('.')))} "
                + "and remove any other. " + (verified ? "Delegation was seen: the domain is verified." : "The domain stays pending until we see the delegation.");
            return new DomainDelegation(d.Domain, verified ? "verified" : "pending", d.DelegatedAt is not null, d.DelegatedAt, d.DelegationSeen,
                d.DelegationCheckedAt, d.DmarcPolicy ?? dns.Value.DmarcPolicy, instructions);
        }).ToList();
        var first = domains.FirstOrDefault();
        return TypedResults.Ok(new ServiceDnsResponse(serviceId, first?.Domain, nameservers, first?.Delegated ?? false, first?.DelegatedAt,
            first?.DelegationSeen ?? [], first?.DelegationCheckedAt, states, first?.Status, first?.Instructions, domains));
    }
}
