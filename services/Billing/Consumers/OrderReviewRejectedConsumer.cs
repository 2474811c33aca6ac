using MassTransit;
using ProMTA.Billing.Data;
using ProMTA.Billing.Refunds;
using ProMTA.Billing.Stripe;
using ProMTA.Contracts.Ordering;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Consumers;

/// <summary>
/// A rejected order is never set up, so its first month is refunded in full (keyed by the order: once). The refund is
/// recorded like any other (credit note issued, customer told, PaymentRefunded published), so Stripe's webhook about
/// it changes nothing.
/// </summary>
public sealed partial class OrderReviewRejectedConsumer(
    Database db, StripePayments stripe, RefundRecorder refunds, TimeProvider time, ILogger<OrderReviewRejectedConsumer> log)
    : IConsumer<OrderReviewRejected>
{
    public const string CreditReason = "Order rejected in review: the service was never set up; the first month is refunded in full.";

    public async Task Consume(ConsumeContext<OrderReviewRejected> context)
    {
        var rejected = context.Message;
        await using var work = await db.BeginConsumeAsync<OrderReviewRejectedConsumer>(context);
        if (work is null) return;
        var refundId = await RefundAsync(work, stripe, refunds, rejected.OrderId, rejected.ServiceId, time.GetUtcNow(), context.CancellationToken);
        await work.CommitAsync(context.CancellationToken);
        if (refundId is not null) LogRefunded(rejected.OrderId, refundId);
    }

    /// <summary>Refunds the paid first month of a rejected order; null when nothing was paid or it is already refunded.</summary>
    public static async Task<string?> RefundAsync(
        UnitOfWork work, StripePayments stripe, RefundRecorder refunds, Guid orderId, Guid serviceId, DateTimeOffset now, CancellationToken ct)
    {
        var invoice = await BillingRepository.FindFirstPaidInvoiceAsync(work, serviceId);
        if (invoice is null || invoice.AmountRefundedMinor > 0) return null;
        var refund = await stripe.RefundAsync(invoice.StripePaymentIntentId, $"refund-order-{orderId}", now, ct);
        var paid = await RefundRepository.FindInvoiceAsync(work, invoice.StripePaymentIntentId);
        await refunds.RecordAsync(work, paid!, refund, CreditReason);
        return refund.Id;
    }

    [LoggerMessage(LogLevel.Information, "Refunded the first month of rejected order {OrderId}: {RefundId}")]
    private partial void LogRefunded(Guid orderId, string refundId);
}
