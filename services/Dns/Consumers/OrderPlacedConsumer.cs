using MassTransit;
using ProMTA.Contracts.Ordering;
using ProMTA.Dns.Data;
using ProMTA.Dns.Domain;
using ProMTA.Dns.Publishing;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Consumers;

/// <summary>
/// Learns who owns the service (the API answers only its owner) and hosts its sending domain: a zone with a fresh DKIM
/// key and DMARC at once; SPF, MX and A follow when the dedicated IPs are known.
/// </summary>
public sealed partial class OrderPlacedConsumer(Database db, SendingDomainZone zone, ILogger<OrderPlacedConsumer> log) : IConsumer<OrderPlaced>
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
            else
            {
                if (!await DkimKeys.HasKeyAsync(work, order.ServiceId)) await zone.AddDkimKeyAsync(work, order.ServiceId, order.OrderId, domain);
                await zone.ApplyAsync(work, order.ServiceId, context.CancellationToken);
            }
        }
        await work.CommitAsync(context.CancellationToken);
    }

    [LoggerMessage(LogLevel.Warning, "Service {ServiceId}: sending domain {Domain} is not a valid domain name; no zone hosted")]
    private partial void LogInvalid(Guid serviceId, string domain);

    [LoggerMessage(LogLevel.Warning, "Service {ServiceId}: sending domain {Domain} is already hosted for another live service; no zone hosted")]
    private partial void LogTaken(Guid serviceId, string domain);
}
