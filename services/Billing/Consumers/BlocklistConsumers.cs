using MassTransit;
using ProMTA.Billing.Data;
using ProMTA.Contracts.Delivery;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Consumers;

/// <summary>
/// The customer, and their account manager in copy, hear from us when a blocklist lists one of their IPs or domains, and
/// when it no longer does (issue 20).
/// </summary>
public sealed class BlocklistListedConsumer(Database db) : IConsumer<BlocklistListed>
{
    public async Task Consume(ConsumeContext<BlocklistListed> context)
    {
        var listed = context.Message;
        await using var work = await db.BeginConsumeAsync<BlocklistListedConsumer>(context);
        if (work is null) return;
        var what = listed.Kind == "ip" ? $"Your dedicated IP {listed.Subject}" : $"Your sending domain {listed.Subject}";
        var action = listed.Kind != "ip" ? "Mail from it may be refused by providers that use this list."
            : listed.Providers.Count == 0 ? "We stopped sending from it; your other IPs take over where you have any, and the rest waits until it is delisted."
            : $"We stopped sending from it to {string.Join(", ", listed.Providers)}; your other IPs take over where you have any, and the rest waits until it is delisted.";
        await NotificationRepository.NotifyAsync(work, listed.CustomerId, listed.ServiceId, "blocklisted",
            $"{what} is listed by the blocklist {listed.Zone} ({listed.Answer}). {action}", listed.ListedAt, copyAccountManager: true);
        await work.CommitAsync(context.CancellationToken);
    }
}

public sealed class BlocklistDelistedConsumer(Database db) : IConsumer<BlocklistDelisted>
{
    public async Task Consume(ConsumeContext<BlocklistDelisted> context)
    {
        var delisted = context.Message;
        await using var work = await db.BeginConsumeAsync<BlocklistDelistedConsumer>(context);
        if (work is null) return;
        var what = delisted.Kind == "ip" ? $"Your dedicated IP {delisted.Subject}" : $"Your sending domain {delisted.Subject}";
        await NotificationRepository.NotifyAsync(work, delisted.CustomerId, delisted.ServiceId, "delisted",
            $"{what} is no longer listed by the blocklist {delisted.Zone}; sending from it has resumed.", delisted.DelistedAt, copyAccountManager: true);
        await work.CommitAsync(context.CancellationToken);
    }
}
