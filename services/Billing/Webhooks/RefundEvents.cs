using global::Stripe;
using ProMTA.Billing.Data;
using ProMTA.Billing.Refunds;
using ProMTA.Billing.Stripe;

namespace ProMTA.Billing.Webhooks;

/// <summary>
/// refund.created / refund.updated / refund.failed / charge.refund.updated carry the refund itself; charge.refunded
/// carries only the charge's new total (Stripe no longer embeds the refunds), so for it the charge's refunds are read
/// from Stripe's API, which is also the newest state there is. Refunds of payments that are not ours are ignored.
/// </summary>
public sealed class RefundEvents(RefundRecorder recorder, PaymentLookup payments, StripePayments stripe, TimeProvider time)
{
    public async Task<StripeEventWrite> OnRefundAsync(Event stripeEvent, global::Stripe.Refund refund, CancellationToken ct)
    {
        await payments.IsRecordedAsync(refund.PaymentIntentId, ct);
        var report = StripePayments.Report(refund, StripeEventTime.Of(stripeEvent.Created));
        return work => RecordAsync(work, refund.PaymentIntentId, [report]);
    }

    public async Task<StripeEventWrite> OnChargeRefundedAsync(Charge charge, CancellationToken ct)
    {
        var refunds = await payments.IsRecordedAsync(charge.PaymentIntentId, ct) ? await stripe.RefundsOfChargeAsync(charge.Id, time.GetUtcNow(), ct) : [];
        return work => RecordAsync(work, charge.PaymentIntentId, refunds);
    }

    private async Task RecordAsync(ServiceDefaults.Data.UnitOfWork work, string? paymentIntentId, IReadOnlyList<RefundReport> refunds)
    {
        if (await PaymentLookup.FindAsync(work, paymentIntentId) is not { } invoice) return;
        foreach (var refund in refunds) await recorder.RecordAsync(work, invoice, refund);
    }
}
