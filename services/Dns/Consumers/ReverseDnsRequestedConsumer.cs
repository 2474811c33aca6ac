using MassTransit;
using Microsoft.Extensions.Options;
using ProMTA.Contracts.Dns;
using ProMTA.Contracts.Provisioning;
using ProMTA.Dns.Data;
using ProMTA.Dns.Domain;
using ProMTA.Dns.PowerDns;
using ProMTA.Dns.Publishing;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Consumers;

/// <summary>
/// Publishes a PTR and the matching A record (forward-confirmed reverse DNS) for every dedicated IP, then
/// confirms over DNS that they answer. Not answering yet is transient: the message is retried.
/// </summary>
public sealed partial class ReverseDnsRequestedConsumer(
    Database db, PowerDnsClient powerDns, PropagationCheck propagation, SendingDomainZone sendingDomain, IOptions<DnsOptions> options,
    TimeProvider time, ILogger<ReverseDnsRequestedConsumer> log) : IConsumer<ReverseDnsRequested>
{
    public async Task Consume(ConsumeContext<ReverseDnsRequested> context)
    {
        var request = context.Message;
        var ct = context.CancellationToken;
        await using var work = await db.BeginConsumeAsync<ReverseDnsRequestedConsumer>(context);
        if (work is null) return;

        var hostZone = ReverseZones.Fqdn(options.Value.HostZone);
        await powerDns.EnsureZoneAsync(hostZone, ct);
        var publishedAt = time.GetUtcNow();
        foreach (var entry in request.Entries)
        {
            var reverseZone = ReverseZones.ZoneOf(entry.Ip);
            await powerDns.EnsureZoneAsync(reverseZone, ct);
            await powerDns.ReplaceRecordAsync(reverseZone, ReverseZones.PtrName(entry.Ip), "PTR", ReverseZones.Fqdn(entry.Hostname), ct);
            await powerDns.ReplaceRecordAsync(hostZone, ReverseZones.Fqdn(entry.Hostname), "A", entry.Ip, ct);
            await PublishedRecords.SaveAsync(work, request.ServiceId, reverseZone, [new DnsRecord(ReverseZones.PtrName(entry.Ip), "PTR", ReverseZones.Fqdn(entry.Hostname))], publishedAt);
            await PublishedRecords.SaveAsync(work, request.ServiceId, hostZone, [new DnsRecord(ReverseZones.Fqdn(entry.Hostname), "A", entry.Ip)], publishedAt);
        }
        // The sending domain's SPF, MX and A records name these IPs.
        await DnsServices.SetIpsAsync(work, request.ServiceId, [.. request.Entries.Select(e => e.Ip)]);
        await sendingDomain.ApplyAsync(work, request.ServiceId, ct);
        foreach (var entry in request.Entries)
        {
            if (!await propagation.AnswersAsync(entry.Ip, entry.Hostname, ct))
            {
                throw new DnsNotPropagatedException($"PTR of {entry.Ip} does not answer {entry.Hostname} yet");
            }
        }
        var propagatedAt = time.GetUtcNow();
        foreach (var entry in request.Entries)
        {
            await PtrRecords.SaveAsync(work, entry.Ip, entry.Hostname, request.ServiceId, request.OrderId, publishedAt, propagatedAt);
        }
        await work.PublishAsync(new ReverseDnsPropagated
        {
            OrderId = request.OrderId,
            ServiceId = request.ServiceId,
            Entries = request.Entries,
            PropagatedAt = propagatedAt,
        });
        await work.CommitAsync(ct);
        LogPropagated(request.OrderId, request.Entries.Count);
    }

    [LoggerMessage(LogLevel.Information, "Reverse DNS of {OrderId} answers for {Count} IPs")]
    private partial void LogPropagated(Guid orderId, int count);
}

public sealed class DnsNotPropagatedException(string message) : Exception(message);
