using MassTransit;
using ProMTA.Contracts.Billing;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Consumers;

public sealed class PaymentFailedConsumer(Database db) : IConsumer<PaymentFailed>
{
    public async Task Consume(ConsumeContext<PaymentFailed> context)
    {
        var failed = context.Message;
        await using var work = await db.BeginConsumeAsync<PaymentFailedConsumer>(context);
        if (work is null) return;
        var detail = failed.DeclineCode is null ? failed.Reason : $"{failed.Reason} ({failed.DeclineCode})";
        if (failed.PayUrl is not null) detail += $" Complete the payment at {failed.PayUrl}";
        await OrderRepository.AdvanceAsync(work, failed.OrderId, OrderStatus.PaymentFailed, failed.FailedAt, detail);
        await work.CommitAsync();
    }
}
