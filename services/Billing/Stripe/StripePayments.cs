using global::Stripe;
using ProMTA.Billing.Data;

namespace ProMTA.Billing.Stripe;

/// <summary>The outcome of one charge: paid, or refused with what to tell the customer.</summary>
public sealed record ChargeResult(bool Succeeded, string? PaymentIntentId, string? FailureReason, string? Code, string? DeclineCode, string? PayUrl = null)
{
    public static ChargeResult Paid(string paymentIntentId) => new(true, paymentIntentId, null, null, null);
}

/// <summary>A card as the customer may see it: never its number beyond the last four digits.</summary>
public sealed record CardSummary(string Brand, string Last4, int ExpMonth, int ExpYear);

/// <summary>
/// The Stripe calls Billing makes, through Stripe.net's real client. Every call carries an idempotency key
/// derived from the business operation, so a redelivered message or a retry can never charge twice.
/// </summary>
public sealed class StripePayments(IStripeClient stripe)
{
    public async Task<string> CreateCustomerAsync(Guid customerId, string email, string name, CancellationToken ct)
    {
        var customer = await new CustomerService(stripe).CreateAsync(
            new CustomerCreateOptions { Email = email, Name = name, Metadata = new() { ["customer_id"] = customerId.ToString() } },
            new RequestOptions { IdempotencyKey = $"customer-{customerId}" }, ct);
        return customer.Id;
    }

    /// <summary>Attaches the PaymentMethod made on the customer's side and makes it the default for renewals.</summary>
    public async Task<string> AttachPaymentMethodAsync(string stripeCustomerId, string paymentMethodId, string operation, CancellationToken ct)
    {
        var attached = await new PaymentMethodService(stripe).AttachAsync(paymentMethodId,
            new PaymentMethodAttachOptions { Customer = stripeCustomerId },
            new RequestOptions { IdempotencyKey = $"attach-{operation}" }, ct);
        await new CustomerService(stripe).UpdateAsync(stripeCustomerId,
            new CustomerUpdateOptions { InvoiceSettings = new() { DefaultPaymentMethod = attached.Id } },
            new RequestOptions { IdempotencyKey = $"default-pm-{operation}" }, ct);
        return attached.Id;
    }

    /// <summary>
    /// Charges an amount now. A card refusal is a result, not an exception; anything else (Stripe down, our bug)
    /// throws so the message is retried with the same idempotency key.
    /// </summary>
    public async Task<ChargeResult> ChargeAsync(
        string stripeCustomerId, string paymentMethodId, long amountMinor, string currency, string idempotencyKey,
        bool offSession, IDictionary<string, string> metadata, string description, CancellationToken ct, string? returnUrl = null)
    {
        try
        {
            var intent = await new PaymentIntentService(stripe).CreateAsync(new PaymentIntentCreateOptions
            {
                Amount = amountMinor,
                Currency = currency.ToLowerInvariant(),
                Customer = stripeCustomerId,
                PaymentMethod = paymentMethodId,
                Confirm = true,
                OffSession = offSession,
                // Keeps the card usable for the renewals charged 14 days before each period.
                SetupFutureUsage = offSession ? null : "off_session",
                // On-session with a return URL the bank's authentication page can redirect back; off-session nothing may redirect.
                AutomaticPaymentMethods = returnUrl is null ? new() { Enabled = true, AllowRedirects = "never" } : new() { Enabled = true },
                ReturnUrl = returnUrl,
                Metadata = new Dictionary<string, string>(metadata),
                Description = description,
            }, new RequestOptions { IdempotencyKey = idempotencyKey }, ct);
            return intent.Status switch
            {
                "succeeded" => ChargeResult.Paid(intent.Id),
                "requires_action" => new ChargeResult(false, intent.Id, "Your bank asks you to authenticate this payment.", "authentication_required", null,
                    intent.NextAction?.RedirectToUrl?.Url),
                _ => new ChargeResult(false, intent.Id, $"The payment did not complete (status {intent.Status}).", intent.Status, null),
            };
        }
        catch (StripeException ex) when (ex.StripeError?.Type == "card_error")
        {
            return new ChargeResult(false, ex.StripeError.PaymentIntent?.Id, ex.StripeError.Message ?? "Your card was declined.",
                ex.StripeError.Code, ex.StripeError.DeclineCode);
        }
    }

    /// <summary>
    /// Turns an off-session charge refused for want of authentication (SCA) into a pay link: the same PaymentIntent is
    /// confirmed again as an on-session payment with a return URL, so Stripe answers with the bank's authentication
    /// page (next_action), which the customer opens from the notice. Completing it pays the PaymentIntent, and Stripe's
    /// payment_intent.succeeded webhook settles the invoice. Null when Stripe gives no such page.
    /// </summary>
    public async Task<string?> AuthenticationLinkAsync(string paymentIntentId, string paymentMethodId, string returnUrl, string idempotencyKey, CancellationToken ct)
    {
        try
        {
            var intent = await new PaymentIntentService(stripe).ConfirmAsync(paymentIntentId,
                new PaymentIntentConfirmOptions { PaymentMethod = paymentMethodId, ReturnUrl = returnUrl, OffSession = false },
                new RequestOptions { IdempotencyKey = idempotencyKey }, ct);
            return intent.Status == "requires_action" ? intent.NextAction?.RedirectToUrl?.Url : null;
        }
        catch (StripeException ex) when (ex.StripeError?.Type is "card_error" or "invalid_request_error")
        {
            return null; // the customer pays with another card instead
        }
    }

    /// <summary>
    /// Withdraws a pay link before the next attempt charges the same invoice, so the customer can never pay twice.
    /// False when the PaymentIntent was paid meanwhile (the customer used the link): then it pays the invoice.
    /// </summary>
    public async Task<bool> CancelUnlessPaidAsync(string paymentIntentId, string idempotencyKey, CancellationToken ct)
    {
        var service = new PaymentIntentService(stripe);
        if ((await service.GetAsync(paymentIntentId, cancellationToken: ct)).Status == "succeeded") return false;
        try
        {
            await service.CancelAsync(paymentIntentId, new PaymentIntentCancelOptions { CancellationReason = "abandoned" },
                new RequestOptions { IdempotencyKey = idempotencyKey }, ct);
            return true;
        }
        catch (StripeException ex) when (ex.StripeError?.Code == "payment_intent_unexpected_state")
        {
            return (await service.GetAsync(paymentIntentId, cancellationToken: ct)).Status != "succeeded";
        }
    }

    /// <summary>Refunds a PaymentIntent in full; the key makes a replayed refund return the first one.</summary>
    public async Task<RefundReport> RefundAsync(string paymentIntentId, string idempotencyKey, DateTimeOffset now, CancellationToken ct)
    {
        var refund = await new RefundService(stripe).CreateAsync(
            new RefundCreateOptions { PaymentIntent = paymentIntentId, Reason = "requested_by_customer" },
            new RequestOptions { IdempotencyKey = idempotencyKey }, ct);
        return Report(refund, now);
    }

    /// <summary>
    /// The card renewals are charged to (the Stripe customer's default PaymentMethod), as brand, last 4 and expiry
    /// only: Stripe never gives out the full number, and neither does Billing. Null when the customer has none.
    /// </summary>
    public async Task<CardSummary?> DefaultCardAsync(string stripeCustomerId, CancellationToken ct)
    {
        var customer = await new CustomerService(stripe).GetAsync(stripeCustomerId, cancellationToken: ct);
        var paymentMethodId = customer.InvoiceSettings?.DefaultPaymentMethodId;
        if (paymentMethodId is null) return null;
        var card = (await new PaymentMethodService(stripe).GetAsync(paymentMethodId, cancellationToken: ct)).Card;
        return card is null ? null : new CardSummary(card.Brand, card.Last4, (int)card.ExpMonth, (int)card.ExpYear);
    }

    public Task<PaymentIntent> GetPaymentIntentAsync(string paymentIntentId, CancellationToken ct) =>
        new PaymentIntentService(stripe).GetAsync(paymentIntentId, cancellationToken: ct);

    /// <summary>Did Billing make this payment? Ours carry the service id in their metadata.</summary>
    public async Task<bool> IsOursAsync(string paymentIntentId, CancellationToken ct)
    {
        var intent = await GetPaymentIntentAsync(paymentIntentId, ct);
        return intent.Metadata?.ContainsKey("service_id") == true;
    }

    /// <summary>Every refund of a charge as Stripe has it now.</summary>
    public async Task<IReadOnlyList<RefundReport>> RefundsOfChargeAsync(string chargeId, DateTimeOffset now, CancellationToken ct)
    {
        var refunds = new List<RefundReport>();
        await foreach (var refund in new RefundService(stripe).ListAutoPagingAsync(new RefundListOptions { Charge = chargeId, Limit = 100 }, cancellationToken: ct))
        {
            refunds.Add(Report(refund, now));
        }
        return refunds;
    }

    public static RefundReport Report(Refund refund, DateTimeOffset reportedAt) => new(refund.Id, refund.Amount, refund.Currency.ToUpperInvariant(),
        refund.Status, refund.Reason, new DateTimeOffset(DateTime.SpecifyKind(refund.Created, DateTimeKind.Utc)), reportedAt);
}
