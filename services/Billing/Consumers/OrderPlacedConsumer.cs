using MassTransit;
using ProMTA.Billing.Orders;
using ProMTA.Contracts.Ordering;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Consumers;

/// <summary>
/// Charges the first month at once (rule 9) in the transaction opened with the inbox row. The Stripe calls happen
/// inside it, keyed by the order, so a crash anywhere replays to the same charge, never a second one.
/// </summary>
public sealed class OrderPlacedConsumer(Database db, FirstMonthCharge firstMonth) : IConsumer<OrderPlaced>
{
    public async Task Consume(ConsumeContext<OrderPlaced> context)
    {
        await using var work = await db.BeginConsumeAsync<OrderPlacedConsumer>(context);
        if (work is null) return;
        await firstMonth.ChargeAsync(work, context.Message, context.CancellationToken);
        await work.CommitAsync(context.CancellationToken);
    }
}
