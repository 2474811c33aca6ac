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
/// </summary>
public sealed record ServiceDnsResponse(
    Guid ServiceId, string? SendingDomain, IReadOnlyList<string> Nameservers, bool Delegated, DateTimeOffset? DelegatedAt,
    IReadOnlyList<string> DelegationSeen, DateTimeOffset? DelegationCheckedAt, IReadOnlyList<RecordState> Records,
    string? DomainStatus = null, string? Instructions = null);

public static class DnsApi
{
    public static IEndpointRouteBuilder MapDnsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/services/{serviceId:guid}/dns", GetServiceDns).RequireAuthorization();
        return app;
    }

    /// <summary>The nameservers to enter at the registrar and every record we publish for the service, each asked of DNS now.</summary>
    private static async Task<Results<Ok<ServiceDnsResponse>, NotFound>> GetServiceDns(
        Guid serviceId, ClaimsPrincipal user, Database db, LiveRecordCheck live, IOptions<PowerDnsOptions> powerDns, CancellationToken ct)
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
        var verified = service.SendingDomain is not null && await DkimKeys.HasKeyAsync(db, serviceId, ct);
        string? instructions = service.SendingDomain is null ? null
            : $"At the registrar of {service.SendingDomain}, set its nameservers (NS records) to {string.Join(" and ", nameservers.Select(n => n.TrimEnd('.')))} "
              + "and remove any other. " + (verified ? "Delegation was seen: the domain is verified." : "The domain stays pending until we see the delegation.");
        return TypedResults.Ok(new ServiceDnsResponse(serviceId, service.SendingDomain, nameservers,
            service.DomainVerifiedAt is not null, service.DomainVerifiedAt, service.DelegationSeen, service.DelegationCheckedAt, states,
            service.SendingDomain is null ? null : verified ? "verified" : "pending", instructions));
    }
}
