using global::Stripe;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Webhooks;

/// <summary>What an event changes, written in the webhook's transaction once what Stripe says has been read.</summary>
public delegate Task StripeEventWrite(UnitOfWork work);

/// <summary>
/// Routes a verified Stripe event to what Billing does about it; other event types are acknowledged and ignored.
/// Each handler reads what it needs from Stripe first, with no transaction open (issue 20: a Stripe call takes
/// 100-800 ms, and rows locked across it make a customer's renewal or second request queue), then returns the
/// write, which the webhook runs in its transaction with the rows locked again.
/// </summary>
public sealed class StripeEventHandler(PaymentIntentEvents payments, RefundEvents refunds, DisputeEvents disputes)
{
    /// <summary>For an event that changes nothing here (still recorded as handled).</summary>
    public static readonly StripeEventWrite Nothing = _ => Task.CompletedTask;

    public Task<StripeEventWrite> ReadAsync(Event stripeEvent, CancellationToken ct) => stripeEvent.Data.Object switch
    {
        PaymentIntent intent => payments.OnPaymentIntentAsync(stripeEvent, intent, ct),
        global::Stripe.Refund refund => refunds.OnRefundAsync(stripeEvent, refund, ct),
        Charge charge when stripeEvent.Type == EventTypes.ChargeRefunded => refunds.OnChargeRefundedAsync(charge, ct),
        Dispute dispute => disputes.OnDisputeAsync(stripeEvent, dispute, ct),
        _ => Task.FromResult(Nothing),
    };
}
