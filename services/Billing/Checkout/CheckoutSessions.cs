using global::Stripe;
using global::Stripe.Checkout;
using Microsoft.Extensions.Caching.Memory;

namespace ProMTA.Billing.Checkout;

public sealed record StartedCheckout(string Id, string Url, DateTimeOffset ExpiresAt);
public sealed record SavedCard(string Brand, string Last4);
public sealed record CheckoutOutcome(string Id, string Status, string? PaymentMethodId, SavedCard? Card);

/// <summary>
/// Stripe Checkout in setup mode through Stripe.net's real SessionService: the customer types the card on Stripe's
/// hosted page (the emulator's when no key is set), so card numbers never reach ProMTA; we only get a PaymentMethod id.
/// The session carries our customer id as client_reference_id, which is how a later read is tied to its owner.
/// Reads are cached with their owner, so the portal's polling (or a client hammering the route) does not become one
/// Stripe call per request: a finished session never changes, an open one is re-read at most every few seconds.
/// </summary>
public sealed class CheckoutSessions(IStripeClient stripe, IMemoryCache cache)
{
    /// <summary>complete and expired are final in Stripe: the answer can be kept as long as anyone polls.</summary>
    private static readonly TimeSpan FinishedFor = TimeSpan.FromHours(1);
    private static readonly TimeSpan OpenFor = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan UnknownFor = TimeSpan.FromSeconds(30);

    private sealed record Read(Guid? Owner, CheckoutOutcome? Outcome);

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
        var key = "checkout-session:" + sessionId;
        if (!cache.TryGetValue(key, out Read? read))
        {
            read = await ReadAsync(sessionId, ct);
            cache.Set(key, read, read.Outcome?.Status switch
            {
                null => UnknownFor,
                "complete" or "expired" => FinishedFor,
                _ => OpenFor,
            });
        }
        // Cached or not, another customer's session is "not found".
        return read!.Owner == customerId ? read.Outcome : null;
    }

    private async Task<Read> ReadAsync(string sessionId, CancellationToken ct)
    {
        Session session;
        try
        {
            session = await new SessionService(stripe).GetAsync(sessionId, new SessionGetOptions { Expand = ["setup_intent.payment_method"] }, cancellationToken: ct);
        }
        catch (StripeException ex) when (ex.HttpStatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return new Read(null, null);
        }
        if (!Guid.TryParse(session.ClientReferenceId, out var owner)) return new Read(null, null);
        var paymentMethod = session.SetupIntent?.PaymentMethod;
        return new Read(owner, new CheckoutOutcome(session.Id, session.Status, session.SetupIntent?.PaymentMethodId,
            paymentMethod?.Card is { } card ? new SavedCard(card.Brand, card.Last4) : null));
    }
}
