using MassTransit;
using ProMTA.Billing.Data;
using ProMTA.Billing.Refunds;
using ProMTA.Billing.Stripe;
using ProMTA.Contracts.Ordering;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Consumers;

/// <summary>A first month refunded with Stripe, to be recorded.</summary>
public sealed record RejectedOrderRefund(string PaymentIntentId, RefundReport Refund);

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
        var ct = context.CancellationToken;
        // Refunded before the consumer's transaction (no Stripe call inside one, issue 20); a redelivery after a crash in
        // between refunds with the same key, so Stripe answers the first refund, which is then recorded once.
        var refund = await RefundAsync(db, stripe, rejected.OrderId, rejected.ServiceId, time.GetUtcNow(), ct);
        await using var work = await db.BeginConsumeAsync<OrderReviewRejectedConsumer>(context);
        if (work is null) return;
        if (refund is not null) await RecordAsync(work, refunds, refund);
        await work.CommitAsync(ct);
        if (refund is not null) LogRefunded(rejected.OrderId, refund.Refund.Id);
    }

    /// <summary>Refunds the paid first month of a rejected order with Stripe, outside any transaction; null when nothing was paid or it is already refunded.</summary>
    public static async Task<RejectedOrderRefund?> RefundAsync(Database db, StripePayments stripe, Guid orderId, Guid serviceId, DateTimeOffset now, CancellationToken ct)
    {
        PaidInvoice? invoice;
        await using (var look = await db.BeginAsync(ct)) // read only, closed before Stripe is called
        {
            invoice = await BillingRepository.FindFirstPaidInvoiceAsync(look, serviceId);
        }
        if (invoice is null || invoice.AmountRefundedMinor > 0) return null;
        return new(invoice.StripePaymentIntentId, await stripe.RefundAsync(invoice.StripePaymentIntentId, $"refund-order-{orderId}", now, ct));
    }

    /// <summary>Records the refund like any other (credit note, notice, PaymentRefunded) in the caller's transaction.</summary>
    public static async Task RecordAsync(UnitOfWork work, RefundRecorder refunds, RejectedOrderRefund refund)
    {
        var paid = await RefundRepository.FindInvoiceAsync(work, refund.PaymentIntentId);
        await refunds.RecordAsync(work, paid!, refund.Refund, CreditReason);
    }

    [LoggerMessage(LogLevel.Information, "Refunded the first month of rejected order {OrderId}: {RefundId}")]
    private partial void LogRefunded(Guid orderId, string refundId);
}
