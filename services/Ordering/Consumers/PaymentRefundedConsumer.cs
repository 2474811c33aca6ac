using MassTransit;
using ProMTA.Contracts.Billing;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Consumers;

public sealed class PaymentRefundedConsumer(Database db) : IConsumer<PaymentRefunded>
{
    public async Task Consume(ConsumeContext<PaymentRefunded> context)
    {
        var refunded = context.Message;
        await using var work = await db.BeginConsumeAsync<PaymentRefundedConsumer>(context);
        if (work is null) return;
        await OrderRepository.AppendTimelineAsync(work, refunded.OrderId, TimelineEvent.PaymentRefunded, refunded.RefundedAt,
            $"Refunded {refunded.AmountMinor / 100m:0.00} {refunded.Currency} to the card");
        await work.CommitAsync();
    }
}
