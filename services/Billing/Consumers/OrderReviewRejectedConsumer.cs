using MassTransit;
using ProMTA.Billing.Data;
using ProMTA.Billing.Refunds;
using ProMTA.Billing.Stripe;
using ProMTA.Contracts.Ordering;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Consumers;

/// <summary>
/// A rejected order is never set up, so its first month is refunded in full (keyed by the order: once). The refund is
/// recorded like any other (customer told, PaymentRefunded published), so Stripe's webhook about it changes nothing.
/// </summary>
public sealed partial class OrderReviewRejectedConsumer(
    Database db, StripePayments stripe, RefundRecorder refunds, TimeProvider time, ILogger<OrderReviewRejectedConsumer> log)
    : IConsumer<OrderReviewRejected>
{
    public async Task Consume(ConsumeContext<OrderReviewRejected> context)
    {
        var rejected = context.Message;
        await using var work = await db.BeginConsumeAsync<OrderReviewRejectedConsumer>(context);
        if (work is null) return;
        var invoice = await BillingRepository.FindFirstPaidInvoiceAsync(work, rejected.ServiceId);
        if (invoice is null || invoice.AmountRefundedMinor > 0)
        {
            await work.CommitAsync(context.CancellationToken); // nothing was paid, or it is already refunded
            return;
        }
        var refund = await stripe.RefundAsync(invoice.StripePaymentIntentId, $"refund-order-{rejected.OrderId}", time.GetUtcNow(), context.CancellationToken);
        var paid = await RefundRepository.FindInvoiceAsync(work, invoice.StripePaymentIntentId);
        await refunds.RecordAsync(work, paid!, refund, "Order rejected in review: the service was never set up; the first month is refunded in full.");
        await work.CommitAsync(context.CancellationToken);
        LogRefunded(rejected.OrderId, refund.Id);
    }

    [LoggerMessage(LogLevel.Information, "Refunded the first month of rejected order {OrderId}: {RefundId}")]
    private partial void LogRefunded(Guid orderId, string refundId);
}
