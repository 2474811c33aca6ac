using MassTransit;
using ProMTA.Billing.Data;
using ProMTA.Billing.Stripe;
using ProMTA.Contracts.Billing;
using ProMTA.Contracts.Ordering;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Consumers;

/// <summary>A rejected order is never set up, so its first month is refunded in full (keyed by the order: once).</summary>
public sealed partial class OrderReviewRejectedConsumer(Database db, StripePayments stripe, TimeProvider time, ILogger<OrderReviewRejectedConsumer> log)
    : IConsumer<OrderReviewRejected>
{
    public async Task Consume(ConsumeContext<OrderReviewRejected> context)
    {
        var rejected = context.Message;
        await using var work = await db.BeginConsumeAsync<OrderReviewRejectedConsumer>(context);
        if (work is null) return;
        var invoice = await BillingRepository.FindFirstPaidInvoiceAsync(work, rejected.ServiceId);
        if (invoice is null || invoice.RefundedAt is not null)
        {
            await work.CommitAsync(context.CancellationToken); // nothing was paid, or it is already refunded
            return;
        }
        var refundId = await stripe.RefundAsync(invoice.StripePaymentIntentId, $"refund-order-{rejected.OrderId}", context.CancellationToken);
        var now = time.GetUtcNow();
        await BillingRepository.MarkRefundedAsync(work, invoice.Id, refundId, now);
        await work.PublishAsync(new PaymentRefunded
        {
            OrderId = rejected.OrderId,
            ServiceId = rejected.ServiceId,
            InvoiceId = invoice.Id,
            AmountMinor = invoice.AmountMinor,
            Currency = invoice.Currency,
            RefundedAt = now,
        });
        await work.CommitAsync(context.CancellationToken);
        LogRefunded(rejected.OrderId, refundId);
    }

    [LoggerMessage(LogLevel.Information, "Refunded the first month of rejected order {OrderId}: {RefundId}")]
    private partial void LogRefunded(Guid orderId, string refundId);
}
