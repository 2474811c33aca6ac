using MassTransit;
using ProMTA.Contracts.Delivery;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Consumers;

public sealed class ServiceActivatedConsumer(Database db) : IConsumer<ServiceActivated>
{
    public async Task Consume(ConsumeContext<ServiceActivated> context)
    {
        var activated = context.Message;
        await using var work = await db.BeginConsumeAsync<ServiceActivatedConsumer>(context);
        if (work is null) return;
        await OrderRepository.AdvanceAsync(work, activated.OrderId, OrderStatus.Active, activated.ActivatedAt,
            $"Live: the relay accepts mail for SMTP user {activated.SmtpUsername}");
        await ServiceRepository.MarkActiveAsync(work, activated.ServiceId, activated.SmtpUsername, activated.ActivatedAt);
        await work.CommitAsync();
    }
}
