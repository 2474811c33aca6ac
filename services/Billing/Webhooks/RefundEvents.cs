using global::Stripe;
using ProMTA.Billing.Data;
using ProMTA.Billing.Refunds;
using ProMTA.Billing.Stripe;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Webhooks;

/// <summary>
/// refund.created / refund.updated / refund.failed / charge.refund.updated carry the refund itself; charge.refunded
/// carries only the charge's new total (Stripe no longer embeds the refunds), so for it the charge's refunds are read
/// from Stripe's API, which is also the newest state there is. Refunds of payments that are not ours are ignored.
/// </summary>
public sealed class RefundEvents(RefundRecorder recorder, PaymentLookup payments, StripePayments stripe, TimeProvider time)
{
    public async Task OnRefundAsync(UnitOfWork work, Event stripeEvent, global::Stripe.Refund refund, CancellationToken ct)
    {
        if (await payments.FindAsync(work, refund.PaymentIntentId, ct) is not { } invoice) return;
        await recorder.RecordAsync(work, invoice, StripePayments.Report(refund, StripeEventTime.Of(stripeEvent.Created)));
    }

    public async Task OnChargeRefundedAsync(UnitOfWork work, Charge charge, CancellationToken ct)
    {
        if (await payments.FindAsync(work, charge.PaymentIntentId, ct) is not { } invoice) return;
        foreach (var refund in await stripe.RefundsOfChargeAsync(charge.Id, time.GetUtcNow(), ct))
        {
            await recorder.RecordAsync(work, invoice, refund);
        }
    }
}
