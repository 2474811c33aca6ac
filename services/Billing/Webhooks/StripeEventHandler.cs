using global::Stripe;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Webhooks;

/// <summary>Routes a verified, first-seen Stripe event to what Billing does about it; other event types are acknowledged and ignored.</summary>
public sealed class StripeEventHandler(PaymentIntentEvents payments, RefundEvents refunds, DisputeEvents disputes)
{
    public Task HandleAsync(UnitOfWork work, Event stripeEvent, CancellationToken ct) => stripeEvent.Data.Object switch
    {
        PaymentIntent intent => payments.OnPaymentIntentAsync(work, stripeEvent, intent, ct),
        global::Stripe.Refund refund => refunds.OnRefundAsync(work, stripeEvent, refund, ct),
        Charge charge when stripeEvent.Type == EventTypes.ChargeRefunded => refunds.OnChargeRefundedAsync(work, charge, ct),
        Dispute dispute => disputes.OnDisputeAsync(work, stripeEvent, dispute, ct),
        _ => Task.CompletedTask,
    };
}
