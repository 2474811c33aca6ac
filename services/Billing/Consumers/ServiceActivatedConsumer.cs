using MassTransit;
using ProMTA.Billing.Data;
using ProMTA.Contracts.Delivery;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Consumers;

/// <summary>The service is live (set up, reverse DNS seen, relay active): from now on its plan can change.</summary>
public sealed class ServiceActivatedConsumer(Database db) : IConsumer<ServiceActivated>
{
    public async Task Consume(ConsumeContext<ServiceActivated> context)
    {
        await using var work = await db.BeginConsumeAsync<ServiceActivatedConsumer>(context);
        if (work is null) return;
        await PlanChangeRepository.MarkLiveAsync(work, context.Message.ServiceId, context.Message.ActivatedAt);
        await work.CommitAsync(context.CancellationToken);
    }
}
