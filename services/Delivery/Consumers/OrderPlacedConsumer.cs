using MassTransit;
using ProMTA.Contracts.Ordering;
using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Consumers;

/// <summary>Remembers who owns the service, so the relay's API can answer only its owner.</summary>
public sealed class OrderPlacedConsumer(Database db) : IConsumer<OrderPlaced>
{
    public async Task Consume(ConsumeContext<OrderPlaced> context)
    {
        await using var work = await db.BeginConsumeAsync<OrderPlacedConsumer>(context);
        if (work is null) return;
        await ServiceOwners.AddAsync(work, context.Message.ServiceId, context.Message.CustomerId, context.Message.OrderId);
        await work.CommitAsync(context.CancellationToken);
    }
}
