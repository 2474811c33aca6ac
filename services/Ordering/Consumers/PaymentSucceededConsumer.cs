using MassTransit;
using ProMTA.Contracts.Billing;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Consumers;

public sealed class PaymentSucceededConsumer(Database db) : IConsumer<PaymentSucceeded>
{
    public async Task Consume(ConsumeContext<PaymentSucceeded> context)
    {
        var paid = context.Message;
        await using var work = await db.BeginConsumeAsync<PaymentSucceededConsumer>(context);
        if (work is null) return;
        await OrderRepository.AdvanceAsync(work, paid.OrderId, OrderStatus.Paid, paid.PaidAt,
            $"Invoice {paid.InvoiceNumber} paid: {paid.AmountMinor / 100m:0.00} {paid.Currency} for {paid.PeriodStart:yyyy-MM-dd} to {paid.PeriodEnd.AddDays(-1):yyyy-MM-dd}");
        await ServiceRepository.MarkPaidAsync(work, paid.ServiceId, paid.BillingDay, paid.PeriodEnd);
        if (paid.RequiresReview)
        {
            await OrderRepository.AdvanceAsync(work, paid.OrderId, OrderStatus.InReview, paid.PaidAt,
                "Special requirements: an account manager reviews the order and sets the setup deadline");
        }
        await work.CommitAsync();
    }
}
