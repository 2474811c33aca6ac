using MassTransit;
using ProMTA.Contracts.Provisioning;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Consumers;

public sealed class ReverseDnsRequestedConsumer(Database db, TimeProvider time) : IConsumer<ReverseDnsRequested>
{
    public async Task Consume(ConsumeContext<ReverseDnsRequested> context)
    {
        var request = context.Message;
        await using var work = await db.BeginConsumeAsync<ReverseDnsRequestedConsumer>(context);
        if (work is null) return;
        await OrderRepository.AdvanceAsync(work, request.OrderId, OrderStatus.ReverseDnsRequested, context.SentTime ?? time.GetUtcNow().UtcDateTime,
            "Reverse DNS requested: " + string.Join(", ", request.Entries.Select(e => $"{e.Ip} -> {e.Hostname}")) + "; live after it propagates");
        await work.CommitAsync();
    }
}
