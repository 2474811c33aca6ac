using global::Stripe;
using global::Stripe.Checkout;

namespace ProMTA.Billing.Checkout;

public sealed record StartedCheckout(string Id, string Url, DateTimeOffset ExpiresAt);
public sealed record SavedCard(string Brand, string Last4);
public sealed record CheckoutOutcome(string Id, string Status, string? PaymentMethodId, SavedCard? Card);

/// <summary>
/// Stripe Checkout in setup mode through Stripe.net's real SessionService: the customer types the card on Stripe's
/// hosted page (the emulator's when no key is set), so card numbers never reach ProMTA; we only get a PaymentMethod id.
/// The session carries our customer id as client_reference_id, which is how a later read is tied to its owner.
/// </summary>
public sealed class CheckoutSessions(IStripeClient stripe)
{
    public async Task<StartedCheckout> StartAsync(Guid customerId, string? stripeCustomerId, string successUrl, string cancelUrl, string? idempotencyKey, CancellationToken ct)
    {
        var session = await new SessionService(stripe).CreateAsync(new SessionCreateOptions
        {
            Mode = "setup",
            // Setup mode needs a currency to pick eligible payment methods; cards are eligible in every currency we sell in.
            Currency = "eur",
            AllowedPaymentMethodTypes = ["card"],
            // Once Billing knows the customer, Stripe attaches the saved card to it; before the first order the
            // card stays unattached and the order's charge attaches it.
            Customer = stripeCustomerId,
            ClientReferenceId = customerId.ToString(),
            SuccessUrl = successUrl,
            CancelUrl = cancelUrl,
            SetupIntentData = new SessionSetupIntentDataOptions { Metadata = new() { ["customer_id"] = customerId.ToString() } },
        }, new RequestOptions { IdempotencyKey = idempotencyKey is null ? null : $"checkout-{customerId}-{idempotencyKey}" }, ct);
        return new StartedCheckout(session.Id, session.Url, session.ExpiresAt);
    }

    /// <summary>The session's outcome, or null when it does not exist or belongs to another customer.</summary>
    public async Task<CheckoutOutcome?> FindAsync(Guid customerId, string sessionId, CancellationToken ct)
    {
        Session session;
        try
        {
            session = await new SessionService(stripe).GetAsync(sessionId, new SessionGetOptions { Expand = ["setup_intent.payment_method"] }, cancellationToken: ct);
        }
        catch (StripeException ex) when (ex.HttpStatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
        if (session.ClientReferenceId != customerId.ToString()) return null;
        var paymentMethod = session.SetupIntent?.PaymentMethod;
        return new CheckoutOutcome(session.Id, session.Status, session.SetupIntent?.PaymentMethodId,
            paymentMethod?.Card is { } card ? new SavedCard(card.Brand, card.Last4) : null);
    }
}
