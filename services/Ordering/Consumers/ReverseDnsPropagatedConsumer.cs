using MassTransit;
using ProMTA.Contracts.Dns;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Consumers;

/// <summary>A milestone in the timeline only: the order becomes Active when Delivery has activated the relay.</summary>
public sealed class ReverseDnsPropagatedConsumer(Database db) : IConsumer<ReverseDnsPropagated>
{
    public async Task Consume(ConsumeContext<ReverseDnsPropagated> context)
    {
        var propagated = context.Message;
        await using var work = await db.BeginConsumeAsync<ReverseDnsPropagatedConsumer>(context);
        if (work is null) return;
        await OrderRepository.AppendTimelineAsync(work, propagated.OrderId, TimelineEvent.ReverseDnsPropagated, propagated.PropagatedAt,
            "Reverse DNS answers for " + string.Join(", ", propagated.Entries.Select(e => e.Ip)));
        await work.CommitAsync();
    }
}
