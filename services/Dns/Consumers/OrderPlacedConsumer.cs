using MassTransit;
using ProMTA.Contracts.Ordering;
using ProMTA.Dns.Data;
using ProMTA.Dns.Domain;
using ProMTA.Dns.Publishing;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Consumers;

/// <summary>
/// Learns who owns the service (the API answers only its owner) and starts hosting its sending domain, which Ordering
/// has already claimed for it: a pending zone (SOA and NS only) until the delegation is seen, when DelegationWatch adds
/// the DKIM key and the records; SPF, MX and A need the dedicated IPs too.
/// </summary>
public sealed partial class OrderPlacedConsumer(Database db, SendingDomainZone zone, PlatformZones platformZones, ILogger<OrderPlacedConsumer> log) : IConsumer<OrderPlaced>
{
    public async Task Consume(ConsumeContext<OrderPlaced> context)
    {
        var order = context.Message;
        await using var work = await db.BeginConsumeAsync<OrderPlacedConsumer>(context);
        if (work is null) return;
        await DnsServices.AddOwnerAsync(work, order.ServiceId, order.CustomerId, order.OrderId);
        var domain = order.SendingDomain?.Trim().TrimEnd('.').ToLowerInvariant();
        if (!string.IsNullOrEmpty(domain))
        {
            // Neither a malformed name nor a domain another live service hosts may fail the order: the service still
            // works, it just has no zone with us, and operators see why in the log.
            if (!SendingDomainRecords.IsValidDomain(domain)) LogInvalid(order.ServiceId, domain);
            else if (!await DnsServices.TrySetDomainAsync(work, order.ServiceId, domain)) LogTaken(order.ServiceId, domain);
            else if (platformZones.Overlaps(domain)) LogPlatform(order.ServiceId, domain);
            else await zone.HostPendingAsync(work, order.ServiceId, domain, context.CancellationToken);
        }
        await work.CommitAsync(context.CancellationToken);
    }

    [LoggerMessage(LogLevel.Warning, "Service {ServiceId}: sending domain {Domain} is not a valid domain name; no zone hosted")]
    private partial void LogInvalid(Guid serviceId, string domain);

    [LoggerMessage(LogLevel.Warning, "Service {ServiceId}: sending domain {Domain} overlaps a platform zone; no zone hosted")]
    private partial void LogPlatform(Guid serviceId, string domain);

    [LoggerMessage(LogLevel.Warning, "Service {ServiceId}: sending domain {Domain} is already hosted for another live service; no zone hosted")]
    private partial void LogTaken(Guid serviceId, string domain);
}
