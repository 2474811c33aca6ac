using ProMTA.Billing.Data;
using ProMTA.Billing.Stripe;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Webhooks;

/// <summary>Thrown when an event cannot be applied yet (a payment of ours not recorded yet, a service changed while it was read); Stripe is asked to retry.</summary>
public sealed class StripeEventNotReadyException(string message) : Exception(message);

/// <summary>
/// The invoice a refund or dispute is about. A webhook can overtake the transaction that records the payment (a
/// card like Stripe's createDispute test card is disputed at once, before the charge's result is written), so a
/// payment Billing made (its PaymentIntent carries our service_id) but cannot find yet is not ignored but retried later.
/// </summary>
public sealed class PaymentLookup(Database db, StripePayments stripe)
{
    /// <summary>Before the webhook's transaction: true when the payment's invoice is recorded; asks Stripe only when it is not.</summary>
    public async Task<bool> IsRecordedAsync(string? paymentIntentId, CancellationToken ct)
    {
        if (paymentIntentId is null) return false;
        await using (var look = await db.BeginAsync(ct)) // read only, closed before Stripe is asked
        {
            if (await RefundRepository.FindInvoiceAsync(look, paymentIntentId) is not null) return true;
            // An upgrade's 3-D Secure payment refunded because the service changed first: never invoiced, nothing to record.
            if (await PlanChangeRepository.PaidNothingAsync(look, paymentIntentId)) return false;
        }
        return await stripe.IsOursAsync(paymentIntentId, ct)
            ? throw new StripeEventNotReadyException($"PaymentIntent {paymentIntentId} is ours but its invoice is not recorded yet")
            : false;
    }

    /// <summary>In the webhook's transaction: the invoice the payment paid, null when it is none of ours.</summary>
    public static Task<PaidByStripe?> FindAsync(UnitOfWork work, string? paymentIntentId) =>
        paymentIntentId is null ? Task.FromResult<PaidByStripe?>(null) : RefundRepository.FindInvoiceAsync(work, paymentIntentId);
}
