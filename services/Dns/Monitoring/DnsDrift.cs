using Microsoft.Extensions.Options;
using ProMTA.Contracts.Dns;
using ProMTA.Dns.Data;
using ProMTA.Dns.Domain;
using ProMTA.Dns.Lookups;
using ProMTA.Dns.PowerDns;
using ProMTA.Dns.Publishing;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Monitoring;

/// <summary>
/// Every Dns:DriftCheckInterval, each live service's records are brought up to date and compared with what our
/// authoritative server answers over DNS (what receiving MTAs see, not what the API says): scheduled changes first (a
/// DKIM rotation that is due, a retired selector to remove), then every published rrset must answer exactly our value.
/// One that does not (edited, deleted, a second value added, the zone gone) is written back, checked again, kept in
/// drift_events, counted, and told to Ordering's timeline with DnsDriftRepaired.
/// </summary>
public sealed partial class DnsDrift(
    SendingDomainZone sendingDomain, PowerDnsClient powerDns, LiveRecordCheck live, DnsMetrics metrics, IOptions<DnsOptions> options,
    TimeProvider time, ILogger<DnsDrift> log)
{
    private const int BatchSize = 10;

    public async Task<int> RunDueAsync(Database db, CancellationToken ct)
    {
        await using var work = await db.BeginAsync(ct);
        var due = await DnsServices.ClaimDriftDueAsync(work, time.GetUtcNow() - options.Value.DriftCheckInterval, BatchSize);
        foreach (var service in due)
        {
            if (await sendingDomain.RotateDkimIfDueAsync(work, service)) LogRotated(service.ServiceId);
            await sendingDomain.ApplyAsync(work, service.ServiceId, ct);
            await RepairAsync(work, service, ct);
            await DnsServices.MarkDriftCheckedAsync(work, service.ServiceId, time.GetUtcNow());
        }
        await work.CommitAsync(ct);
        return due.Count;
    }

    private async Task RepairAsync(UnitOfWork work, DnsService service, CancellationToken ct)
    {
        var drifted = new List<(PublishedRecord Record, IReadOnlyList<string> Seen)>();
        foreach (var published in await PublishedRecords.ForServiceAsync(work, service.ServiceId))
        {
            var seen = await live.SeenAsync(ToRecord(published), ct);
            // No answer at all is an outage of the server, not an edit: nothing to write back.
            if (seen is not null && !LiveRecordCheck.IsExactly(seen, ToRecord(published))) drifted.Add((published, seen));
        }
        if (drifted.Count == 0) return;

        var detectedAt = time.GetUtcNow();
        // A zone deleted behind our back is created again by the write.
        foreach (var zone in drifted.GroupBy(d => d.Record.Zone)) await powerDns.ReplaceRecordsAsync(zone.Key, zone.Select(d => ToRecord(d.Record)), ct);
        var repaired = true;
        foreach (var (record, seen) in drifted)
        {
            var fixedNow = await live.AnswersAsync(ToRecord(record), ct);
            repaired &= fixedNow;
            await DriftEvents.AddAsync(work, new DriftEventRow
            {
                ServiceId = service.ServiceId, Name = record.Name, Type = record.Type, Expected = record.Value, Found = string.Join(" | ", seen),
                DetectedAt = detectedAt, RepairedAt = fixedNow ? time.GetUtcNow() : null,
            });
        }
        metrics.Drifted(drifted.Count, repaired);
        LogDrift(service.ServiceId, drifted.Count, repaired, string.Join("; ", drifted.Select(d => $"{d.Record.Type} {d.Record.Name}")));
        if (service.OrderId is not { } orderId) return; // PTRs known before OrderPlaced: operators still see drift_events
        await work.PublishAsync(new DnsDriftRepaired
        {
            OrderId = orderId,
            ServiceId = service.ServiceId,
            Records = [.. drifted.Select(d => new DriftedRecord(d.Record.Name, d.Record.Type, d.Record.Value, string.Join(" | ", d.Seen)))],
            Repaired = repaired,
            DetectedAt = detectedAt,
        });
    }

    private static DnsRecord ToRecord(PublishedRecord p) => new(p.Name, p.Type, p.Value);

    [LoggerMessage(LogLevel.Information, "DKIM key of {ServiceId} rotated: a new selector is published beside the old one")]
    private partial void LogRotated(Guid serviceId);

    [LoggerMessage(LogLevel.Warning, "DNS drift for {ServiceId}: {Count} rrsets differed from what we publish (repaired: {Repaired}): {Records}")]
    private partial void LogDrift(Guid serviceId, int count, bool repaired, string records);
}
