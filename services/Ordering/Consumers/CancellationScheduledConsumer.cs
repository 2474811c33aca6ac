using MassTransit;
using ProMTA.Contracts.Billing;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Consumers;

public sealed class CancellationScheduledConsumer(Database db) : IConsumer<CancellationScheduled>
{
    public async Task Consume(ConsumeContext<CancellationScheduled> context)
    {
        var cancelled = context.Message;
        await using var work = await db.BeginConsumeAsync<CancellationScheduledConsumer>(context);
        if (work is null) return;
        var detail = cancelled.ChargedAgain
            ? $"Cancelled after the deadline: the next period is charged; paid through {cancelled.LastDay:yyyy-MM-dd}, ends {cancelled.LastDay:yyyy-MM-dd}"
            : $"Cancelled: no further charge; paid through {cancelled.LastDay:yyyy-MM-dd}, ends {cancelled.LastDay:yyyy-MM-dd}";
        await OrderRepository.AppendTimelineAsync(work, cancelled.OrderId, TimelineEvent.CancellationScheduled, cancelled.RequestedAt, detail);
        await ServiceRepository.MarkEndingAsync(work, cancelled.ServiceId, cancelled.LastDay);
        await work.CommitAsync();
    }
}
