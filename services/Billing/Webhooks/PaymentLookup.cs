using ProMTA.Billing.Data;
using ProMTA.Billing.Stripe;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Webhooks;

/// <summary>Thrown when an event is about a payment of ours that this database does not show yet; Stripe is asked to retry.</summary>
public sealed class StripeEventNotReadyException(string paymentIntentId)
    : Exception($"PaymentIntent {paymentIntentId} is ours but its invoice is not recorded yet");

/// <summary>
/// The invoice a refund or dispute is about. A webhook can overtake the transaction that records the payment (the
/// charge call runs inside it, and a card like Stripe's createDispute test card is disputed at once), so a payment
/// Billing made (its PaymentIntent carries our service_id) but cannot find yet is not ignored but retried later.
/// </summary>
public sealed class PaymentLookup(StripePayments stripe)
{
    public async Task<PaidByStripe?> FindAsync(UnitOfWork work, string? paymentIntentId, CancellationToken ct)
    {
        if (paymentIntentId is null) return null;
        if (await RefundRepository.FindInvoiceAsync(work, paymentIntentId) is { } invoice) return invoice;
        return await stripe.IsOursAsync(paymentIntentId, ct) ? throw new StripeEventNotReadyException(paymentIntentId) : null;
    }
}
