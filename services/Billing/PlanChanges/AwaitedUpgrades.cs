using ProMTA.Billing.Catalogue;
using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.Billing.Invoices;
using ProMTA.Billing.Stripe;
using ProMTA.Billing.Webhooks;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.PlanChanges;

/// <summary>
/// Stripe reports on the PaymentIntent of an upgrade that waited for 3-D Secure. Paid: the upgrade applies as if it
/// had been charged at once, provided nothing changed meanwhile (the same proration for the day it was asked, the
/// same amount); if something did (a renewal charged, a cancellation, a new price), nothing is sold and the payment
/// is refunded in full. Refused or abandoned: the change is declined and the plan stays.
/// No Stripe call runs inside a transaction (issue 20): the PaymentIntent is read, and a refund made (keyed by the
/// change, so a retried event refunds once), before the webhook's transaction locks the change and writes the decision.
/// </summary>
public sealed partial class AwaitedUpgrades(Database db, StripePayments stripe, InvoiceIssuer issuer, BillingCalendar calendar, TimeProvider time,
    ILogger<AwaitedUpgrades> log)
{
    /// <summary>Reads what Stripe says about the upgrade's payment; the step returned writes the decision in the webhook's transaction.</summary>
    /// <returns>Null when the PaymentIntent is no waiting upgrade's (the caller looks for an invoice instead).</returns>
    public async Task<StripeEventWrite?> OnPaymentIntentAsync(string paymentIntentId, CancellationToken ct)
    {
        AwaitingChange? change;
        await using (var look = await db.OpenAsync(ct)) // closed before Stripe is called
        {
            change = await PlanChangeRepository.LookUpAwaitingByPaymentIntentAsync(look, paymentIntentId);
        }
        if (change is null) return null;
        var intent = await stripe.GetPaymentIntentAsync(paymentIntentId, ct);
        if (intent.Status == "succeeded")
        {
            bool sellable;
            await using (var look = await db.BeginAsync(ct))
            {
                sellable = await SaleAsync(look, change, intent) is not null;
            }
            if (sellable) return work => ApplyAsync(work, paymentIntentId, intent);
            await stripe.RefundAsync(intent.Id, $"plan-change-{change.Id}-refund", time.GetUtcNow(), ct);
            return work => DeclineAsync(work, paymentIntentId, "The service changed before the payment arrived; refunded.",
                $"Your payment of {PlanChanger.Money(intent.Amount)} {intent.Currency.ToUpperInvariant()} arrived after the service changed (renewed, cancelled or repriced): it is refunded in full and the plan is unchanged. Ask for the change again.");
        }
        if (intent.Status == "canceled" || intent.Status == "requires_payment_method" && intent.LastPaymentError is not null)
        {
            var reason = intent.LastPaymentError?.Message ?? "The payment was not completed.";
            return work => DeclineAsync(work, paymentIntentId, reason, $"{reason} The plan is unchanged; ask for the change again to get a new payment link.");
        }
        return StripeEventHandler.Nothing; // still waiting for the customer
    }

    /// <summary>The upgrade as it would be sold now, on the locked service; null when the payment no longer matches it.</summary>
    private async Task<(ChangeableService Service, PlanQuote Quote, InvoiceContent Content)?> SaleAsync(UnitOfWork work, AwaitingChange change,
        global::Stripe.PaymentIntent intent)
    {
        var service = await PlanChangeRepository.FindForUpdateAsync(work, change.CustomerId, change.ServiceId);
        var product = await BilledProducts.FindAsync(work, change.ToProductId);
        if (service is null || product is null || PlanChangeRules.Refusal(service, product, change.ToExtraIps, change.EffectiveOn) is not null) return null;
        var quote = PlanChangeRules.Quote(service, product, change.ToExtraIps, change.EffectiveOn);
        if (quote.Kind != PlanChangeKind.Upgrade || quote.NetMinor != change.NetMinor) return null;
        var content = await issuer.PrepareAsync(work, change.CustomerId, quote.NetMinor, quote.To.DisplayName);
        return content.GrossMinor == intent.Amount ? (service, quote, content with { LineDescription = PlanChanger.LineOf(quote) }) : null;
    }

    private async Task ApplyAsync(UnitOfWork work, string paymentIntentId, global::Stripe.PaymentIntent intent)
    {
        if (await PlanChangeRepository.FindAwaitingByPaymentIntentAsync(work, paymentIntentId) is not { } change) return; // decided meanwhile
        // Changed between the read and this lock: Stripe's retry of the event finds it changed and refunds.
        var (service, quote, content) = await SaleAsync(work, change, intent)
            ?? throw new StripeEventNotReadyException($"Service {change.ServiceId} changed while its upgrade's payment {paymentIntentId} was read");
        var now = time.GetUtcNow();
        var invoiceId = Guid.CreateVersion7();
        var invoiceNumber = await BillingRepository.IssueInvoiceAsync(work, new NewInvoice(invoiceId, service.ServiceId, service.CustomerId,
            quote.Periods[0].Index, change.EffectiveOn, quote.Periods[^1].End, content.GrossMinor, service.Currency, now, content, InvoiceKind.Proration),
            new InvoicePayment(intent.Id, now));
        await PlanChangeRepository.SetProductAsync(work, service.ServiceId, quote.To);
        await PlanChangeRepository.DecideScheduledAsync(work, service.ServiceId, PlanChangeStatus.Withdrawn, now);
        await PlanChangeRepository.DecideAsync(work, change.Id, PlanChangeStatus.Applied, invoiceId, null, now);
        await PlanChanger.PublishChangedAsync(work, service, change.Id, quote.From, quote.To, calendar.LocalDate(now), now);
        await NotificationRepository.NotifyAsync(work, service.CustomerId, service.ServiceId, "plan-changed",
            $"Your service now runs on {quote.To.DisplayName}: invoice {invoiceNumber} paid {PlanChanger.Money(content.GrossMinor)} {service.Currency} for the days left of the paid period; the new dedicated IPs are being set up.",
            now);
        LogApplied(service.ServiceId, quote.To.ProductId, invoiceNumber);
    }

    private async Task DeclineAsync(UnitOfWork work, string paymentIntentId, string reason, string notice)
    {
        if (await PlanChangeRepository.FindAwaitingByPaymentIntentAsync(work, paymentIntentId) is not { } change) return; // decided meanwhile
        var now = time.GetUtcNow();
        await PlanChangeRepository.DecideAsync(work, change.Id, PlanChangeStatus.Declined, null, reason, now);
        await NotificationRepository.NotifyAsync(work, change.CustomerId, change.ServiceId, "plan-change-declined", notice, now);
    }

    [LoggerMessage(LogLevel.Information, "Upgrade of {ServiceId} to {To} paid after 3-D Secure (invoice {InvoiceNumber})")]
    private partial void LogApplied(Guid serviceId, string to, long invoiceNumber);
}
