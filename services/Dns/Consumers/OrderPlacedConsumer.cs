using MassTransit;
using ProMTA.Contracts.Ordering;
using ProMTA.Dns.Data;
using ProMTA.Dns.Publishing;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Consumers;

/// <summary>
/// Learns who owns the service (the API answers only its owner) and starts hosting its sending domain, which Ordering
/// has already claimed for it: a pending zone (SOA and NS only) until the delegation is seen, when DelegationWatch adds
/// the DKIM key and the records; SPF, MX and A need the dedicated IPs too.
/// </summary>
public sealed class OrderPlacedConsumer(Database db, SendingDomainHosting hosting) : IConsumer<OrderPlaced>
{
    public async Task Consume(ConsumeContext<OrderPlaced> context)
    {
        var order = context.Message;
        await using var work = await db.BeginConsumeAsync<OrderPlacedConsumer>(context);
        if (work is null) return;
        await DnsServices.AddOwnerAsync(work, order.ServiceId, order.CustomerId, order.OrderId);
        if (!string.IsNullOrWhiteSpace(order.SendingDomain)) await hosting.StartAsync(work, order.ServiceId, order.SendingDomain, context.CancellationToken);
        await work.CommitAsync(context.CancellationToken);
    }
}

/// <summary>A domain added to a live service through the domains API: hosted like one given with the order.</summary>
public sealed class SendingDomainClaimedConsumer(Database db, SendingDomainHosting hosting) : IConsumer<SendingDomainClaimed>
{
    public async Task Consume(ConsumeContext<SendingDomainClaimed> context)
    {
        var claim = context.Message;
        await using var work = await db.BeginConsumeAsync<SendingDomainClaimedConsumer>(context);
        if (work is null) return;
        await DnsServices.AddOwnerAsync(work, claim.ServiceId, claim.CustomerId, claim.OrderId);
        await hosting.StartAsync(work, claim.ServiceId, claim.Domain, context.CancellationToken);
        await work.CommitAsync(context.CancellationToken);
    }
}
