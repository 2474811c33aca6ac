using MassTransit;
using ProMTA.Contracts.Billing;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Consumers;

public sealed class CancellationWithdrawnConsumer(Database db) : IConsumer<CancellationWithdrawn>
{
    public async Task Consume(ConsumeContext<CancellationWithdrawn> context)
    {
        var withdrawn = context.Message;
        await using var work = await db.BeginConsumeAsync<CancellationWithdrawnConsumer>(context);
        if (work is null) return;
        await OrderRepository.AppendTimelineAsync(work, withdrawn.OrderId, TimelineEvent.CancellationWithdrawn, withdrawn.WithdrawnAt,
            "Cancellation withdrawn: the service continues and renews monthly");
        await ServiceRepository.ClearEndingAsync(work, withdrawn.ServiceId);
        await work.CommitAsync();
    }
}
