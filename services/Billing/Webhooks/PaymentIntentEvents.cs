using global::Stripe;
using ProMTA.Billing.Data;
using ProMTA.Billing.Renewals;
using ProMTA.Billing.Stripe;
using ProMTA.Contracts.Billing;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Webhooks;

/// <summary>
/// payment_intent.succeeded / payment_failed / requires_action for the PaymentIntent an open invoice is waiting on.
/// Events arrive late and in any order (a decline's payment_failed can arrive after the pay link that followed it),
/// so the event only says "look again": the PaymentIntent's current state is read from Stripe (before the webhook's
/// transaction, and only for a PaymentIntent something here waits on) and applied. Paid: the invoice is settled
/// (resuming a suspended service). Waiting for authentication or refused: the invoice stays open and the customer is
/// told, only when that changes what they were already told. Paid or unknown invoices: nothing.
/// </summary>
public sealed partial class PaymentIntentEvents(
    Database db, InvoiceSettlement settlement, StripePayments stripe, PlanChanges.AwaitedUpgrades upgrades, TimeProvider time, ILogger<PaymentIntentEvents> log)
{
    private const string AuthenticationAsked = "Your bank asks you to authenticate this payment.";

    public async Task<StripeEventWrite> OnPaymentIntentAsync(Event stripeEvent, PaymentIntent reported, CancellationToken ct)
    {
        if (stripeEvent.Type is not (EventTypes.PaymentIntentSucceeded or EventTypes.PaymentIntentPaymentFailed or EventTypes.PaymentIntentRequiresAction))
        {
            return StripeEventHandler.Nothing;
        }
        if (await upgrades.OnPaymentIntentAsync(reported.Id, ct) is { } upgrade) return upgrade; // an upgrade that waited for 3-D Secure
        await using (var look = await db.OpenAsync(ct)) // closed before Stripe is asked
        {
            if (!await RenewalRepository.AwaitsPaymentIntentAsync(look, reported.Id)) return StripeEventHandler.Nothing;
        }
        var intent = await stripe.GetPaymentIntentAsync(reported.Id, ct);
        return work => ApplyAsync(work, intent);
    }

    private async Task ApplyAsync(UnitOfWork work, PaymentIntent intent)
    {
        if (await RenewalRepository.FindOpenByPaymentIntentAsync(work, intent.Id) is not { } open) return; // settled meanwhile
        if (intent.Status == "succeeded")
        {
            await settlement.SettleAsync(work, open.Service, open.Invoice, open.Period, intent.Id);
            LogSettled(open.Invoice.InvoiceNumber, intent.Id);
            return;
        }

        var told = await PaymentEventRepository.FindAsync(work, open.Invoice.InvoiceId);
        var (reason, code, payUrl) = intent.Status switch
        {
            "requires_action" => (AuthenticationAsked, "authentication_required", intent.NextAction?.RedirectToUrl?.Url),
            "requires_payment_method" when intent.LastPaymentError is { } error => (error.Message ?? "The payment failed.", error.Code, (string?)null),
            _ => (null, null, null), // canceled (a withdrawn pay link) or not yet tried: nothing to tell
        };
        if (reason is null || told.PayUrl == payUrl && (payUrl is not null || told.FailureReason == reason)) return; // the customer already knows

        await PaymentEventRepository.SaveAsync(work, open.Invoice.InvoiceId, reason, payUrl);
        var start = Domain.BillingCalendar.PeriodStart(open.Service.Calendar, open.Period);
        await work.PublishAsync(new PaymentFailed
        {
            OrderId = open.Service.OrderId, ServiceId = open.Service.ServiceId, PeriodIndex = open.Period, Reason = reason, Code = code,
            DeclineCode = intent.LastPaymentError?.DeclineCode, FailedAt = time.GetUtcNow(), PayUrl = payUrl,
        });
        await NotificationRepository.NotifyAsync(work, open.Service.CustomerId, open.Service.ServiceId, "payment-failed", payUrl is null
                ? $"The payment of invoice {open.Invoice.InvoiceNumber} for the period from {start:yyyy-MM-dd} failed: {reason} Pay it with another card (POST /api/payment-methods)."
                : $"{reason} Complete the payment of invoice {open.Invoice.InvoiceNumber} for the period from {start:yyyy-MM-dd} at {payUrl}",
            time.GetUtcNow());
    }

    [LoggerMessage(LogLevel.Information, "Invoice {InvoiceNumber} paid through Stripe ({PaymentIntentId})")]
    private partial void LogSettled(long invoiceNumber, string paymentIntentId);
}
