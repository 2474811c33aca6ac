using MassTransit;
using ProMTA.Billing.Orders;
using ProMTA.Contracts.Ordering;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Consumers;

/// <summary>
/// Charges the first month at once (rule 9): the charge's intent is recorded with the inbox row and committed, then
/// Stripe is called outside any transaction, keyed by the order, and the result recorded in a second transaction.
/// </summary>
public sealed class OrderPlacedConsumer(Database db, FirstMonthCharge firstMonth) : IConsumer<OrderPlaced>
{
    public async Task Consume(ConsumeContext<OrderPlaced> context)
    {
        await using (var work = await db.BeginConsumeAsync<OrderPlacedConsumer>(context))
        {
            if (work is not null)
            {
                await firstMonth.RecordAsync(work, context.Message);
                await work.CommitAsync(context.CancellationToken);
            }
        }
        // Also on a redelivery (inbox row already there): a crash after the intent's commit left it pending, and
        // completing it now makes the same Stripe calls with the same keys, so the customer is charged once.
        await firstMonth.CompleteAsync(context.Message.OrderId, context.CancellationToken);
    }
}
