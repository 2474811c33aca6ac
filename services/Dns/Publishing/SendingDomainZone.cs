using Microsoft.Extensions.Options;
using ProMTA.Contracts.Dns;
using ProMTA.Dns.Data;
using ProMTA.Dns.Dkim;
using ProMTA.Dns.Domain;
using ProMTA.Dns.PowerDns;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Security;

namespace ProMTA.Dns.Publishing;

/// <summary>
/// Brings the customer's sending-domain zone in PowerDNS to what the service's state says it should be (rule 19).
/// Always computed from the whole state and written as REPLACEs, so applying it again (a redelivery, a new IP, a
/// rotated key) is safe; rrsets we published before and no longer want (a retired DKIM selector) are deleted.
/// </summary>
public sealed partial class SendingDomainZone(
    PowerDnsClient powerDns, DkimKeyProtector protector, IOptions<DnsOptions> options, IOptions<DkimOptions> dkim, TimeProvider time,
    ILogger<SendingDomainZone> log)
{
    /// <summary>Rotates each domain's DKIM key that is older than Dkim:RotationInterval; true when any was.</summary>
    public async Task<bool> RotateDkimIfDueAsync(UnitOfWork work, DnsService service)
    {
        if (service.OrderId is null || dkim.Value.RotationInterval <= TimeSpan.Zero) return false;
        var rotated = false;
        foreach (var domain in await SendingDomains.ForServiceAsync(work, service.ServiceId))
        {
            var newest = await DkimKeys.NewestCreatedAtAsync(work, service.ServiceId, domain.Domain);
            if (newest is null || time.GetUtcNow() - newest < dkim.Value.RotationInterval) continue;
            await AddDkimKeyAsync(work, service.ServiceId, service.OrderId.Value, domain.Domain);
            rotated = true;
        }
        return rotated;
    }

    /// <summary>Makes a new DKIM key the active one (the first, or a rotation) and tells Delivery, inside the caller's unit of work.</summary>
    /// <param name="made">A key made beforehand (DomainPublication makes a batch's keys side by side); else one is made here.</param>
    public async Task<string> AddDkimKeyAsync(UnitOfWork work, Guid serviceId, Guid orderId, string domain, DkimKeyPair? made = null)
    {
        var now = time.GetUtcNow();
        var key = made ?? DkimKeyPair.Generate(now);
        // Selectors are unique per service (Delivery keys them so): a second domain keyed in the same second gets a suffix.
        for (var n = 2; await DkimKeys.SelectorTakenAsync(work, serviceId, key.Selector); n++) key = key with { Selector = $"{key.Selector.Split('-')[0]}-{n}" };
        var encrypted = protector.Protect(key.PrivateKeyPkcs8, serviceId, key.Selector);
        await DkimKeys.AddAsync(work, serviceId, domain, key.Selector, key.PublicKeyBase64, encrypted, now, now + dkim.Value.RetiredKeyLifetime);
        await work.PublishAsync(new DkimKeyPublished
        {
            OrderId = orderId,
            ServiceId = serviceId,
            Domain = domain,
            Selector = key.Selector,
            EncryptedPrivateKey = encrypted,
            PublishedAt = now,
        });
        return key.Selector;
    }

    /// <summary>
    /// Creates the zone of a domain still pending delegation: SOA and our NS only, the records the delegation check looks
    /// for. No DKIM key, SPF, DMARC, MX or A until the delegation is seen (issue 14): a name the customer has not proven
    /// is theirs gets nothing that mail or another zone could use. False when another service owns the zone.
    /// </summary>
    public async Task<bool> HostPendingAsync(UnitOfWork work, Guid serviceId, string domain, CancellationToken ct)
    {
        var zone = ReverseZones.Fqdn(domain);
        if (!await HostedZones.TryOwnAsync(work, zone, serviceId, time.GetUtcNow()))
        {
            LogNotOwner(zone, serviceId);
            return false;
        }
        await powerDns.EnsureZoneAsync(zone, ct);
        return true;
    }

    /// <summary>
    /// Publishes what each of the service's domains needs once it is verified (its first DKIM key is made when its
    /// delegation is first seen; a domain without one is still pending and gets nothing), always in a zone this service owns.
    /// </summary>
    public async Task ApplyAsync(UnitOfWork work, Guid serviceId, CancellationToken ct)
    {
        var service = await DnsServices.FindAsync(work, serviceId);
        if (service is null) return;
        foreach (var domain in await SendingDomains.ForServiceAsync(work, serviceId))
        {
            if (await DkimKeys.HasKeyAsync(work, serviceId, domain.Domain)) await ApplyAsync(work, service, domain, ct);
        }
    }

    private async Task ApplyAsync(UnitOfWork work, DnsService service, HostedDomain domain, CancellationToken ct)
    {
        var serviceId = service.ServiceId;
        var now = time.GetUtcNow();
        var zone = ReverseZones.Fqdn(domain.Domain);
        if (!await HostedZones.TryOwnAsync(work, zone, serviceId, now))
        {
            LogNotOwner(zone, serviceId);
            return;
        }
        var wanted = SendingDomainRecords.For(zone, service.Ips, await DkimKeys.PublishedAsync(work, serviceId, domain.Domain, now),
            domain.DmarcPolicy ?? options.Value.DmarcPolicy);
        var published = (await PublishedRecords.ForServiceAsync(work, serviceId)).Where(p => p.Zone == zone).ToList();
        var stale = published.Where(p => !wanted.Any(w => w.Name == p.Name && w.Type == p.Type)).ToList();
        // Nothing to change: no write, so PowerDNS's serial (and secondaries' transfers) only move on a real change.
        // Records changed behind our back are DnsDrift's business: it compares with DNS itself, not with this table.
        if (stale.Count == 0 && wanted.All(w => published.Any(p => p.Name == w.Name && p.Type == w.Type && p.Value == w.Value))) return;

        await powerDns.ReplaceRecordsAsync(zone, wanted, ct);
        await powerDns.DeleteRecordsAsync(zone, stale.Select(s => (s.Name, s.Type)), ct);
        await PublishedRecords.DeleteAsync(work, stale);
        await PublishedRecords.SaveAsync(work, serviceId, zone, wanted, now);
        LogApplied(zone, wanted.Count, stale.Count);
    }

    /// <summary>
    /// Removes exactly what this service published in the domain's zone, the zone itself when this service created it
    /// (issue 14: never a zone or record someone else owns), and the domain with its keys: if the service gets it again,
    /// it starts pending. Deleting what is gone is a no-op, so a redelivery is safe.
    /// </summary>
    public async Task RemoveAsync(UnitOfWork work, Guid serviceId, string domain, CancellationToken ct)
    {
        var zone = ReverseZones.Fqdn(domain);
        var published = (await PublishedRecords.ForServiceAsync(work, serviceId)).Where(p => p.Zone == zone).ToList();
        await powerDns.DeleteRecordsAsync(zone, published.Select(p => (p.Name, p.Type)), ct);
        await PublishedRecords.DeleteAsync(work, published);
        if ((await HostedZones.ForServiceAsync(work, serviceId)).Contains(zone))
        {
            await powerDns.DeleteZoneAsync(zone, ct);
            await HostedZones.DeleteAsync(work, zone, serviceId);
        }
        await SendingDomains.RemoveAsync(work, serviceId, domain);
        await DkimKeys.DeleteAsync(work, serviceId, domain);
    }

    [LoggerMessage(LogLevel.Warning, "Zone {Zone} belongs to another service than {ServiceId}: nothing written")]
    private partial void LogNotOwner(string zone, Guid serviceId);

    [LoggerMessage(LogLevel.Information, "Zone {Zone}: {Count} rrsets published, {Removed} removed")]
    private partial void LogApplied(string zone, int count, int removed);
}
