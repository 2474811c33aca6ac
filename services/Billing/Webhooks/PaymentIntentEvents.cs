using global::Stripe;
using ProMTA.Billing.Data;
using ProMTA.Billing.Renewals;
using ProMTA.Contracts.Billing;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Webhooks;

/// <summary>
/// payment_intent.succeeded / payment_failed / requires_action for the PaymentIntent an open invoice is waiting on.
/// Succeeded pays the invoice (and resumes a suspended service). Failed and requires_action keep it open and tell
/// the customer what to do, only when they change what the customer was already told (the charge call itself
/// reports the same outcome synchronously). Events for a paid invoice, or for an older attempt, change nothing;
/// an event created before the one last applied is ignored, so a late requires_action never revives a dead pay link.
/// </summary>
public sealed partial class PaymentIntentEvents(InvoiceSettlement settlement, TimeProvider time, ILogger<PaymentIntentEvents> log)
{
    private const string AuthenticationAsked = "Your bank asks you to authenticate this payment.";

    public async Task OnPaymentIntentAsync(UnitOfWork work, Event stripeEvent, PaymentIntent intent)
    {
        var rank = stripeEvent.Type switch
        {
            EventTypes.PaymentIntentRequiresAction => 0,
            EventTypes.PaymentIntentPaymentFailed => 1,
            EventTypes.PaymentIntentSucceeded => 2,
            _ => -1,
        };
        if (rank < 0 || await RenewalRepository.FindOpenByPaymentIntentAsync(work, intent.Id) is not { } open) return;
        if (rank == 2)
        {
            await settlement.SettleAsync(work, open.Service, open.Invoice, open.Period, intent.Id);
            LogSettled(open.Invoice.InvoiceNumber, intent.Id);
            return;
        }

        // Stripe's timestamps are seconds: within one second, a failure outranks the requires_action before it.
        var sequence = StripeEventTime.Of(stripeEvent.Created).ToUnixTimeSeconds() * 10 + rank;
        var state = await PaymentEventRepository.FindAsync(work, open.Invoice.InvoiceId);
        if (state.StripeEventSeq >= sequence) return;

        var (reason, code, payUrl) = rank == 0
            ? (AuthenticationAsked, "authentication_required", intent.NextAction?.RedirectToUrl?.Url)
            : (intent.LastPaymentError?.Message ?? "The payment failed.", intent.LastPaymentError?.Code, (string?)null);
        await PaymentEventRepository.SaveAsync(work, open.Invoice.InvoiceId, reason, payUrl, sequence);
        if (state.FailureReason == reason && state.PayUrl == payUrl) return; // the customer already knows

        var start = Domain.BillingCalendar.PeriodStart(open.Service.OrderedOn, open.Period);
        await work.PublishAsync(new PaymentFailed
        {
            OrderId = open.Service.OrderId, ServiceId = open.Service.ServiceId, PeriodIndex = open.Period, Reason = reason, Code = code,
            DeclineCode = intent.LastPaymentError?.DeclineCode, FailedAt = time.GetUtcNow(), PayUrl = payUrl,
        });
        await RenewalRepository.NotifyAsync(work, open.Service.CustomerId, open.Service.ServiceId, "payment-failed", payUrl is null
                ? $"The payment of invoice {open.Invoice.InvoiceNumber} for the period from {start:yyyy-MM-dd} failed: {reason} Pay it with another card (POST /api/payment-methods)."
                : $"{reason} Complete the payment of invoice {open.Invoice.InvoiceNumber} for the period from {start:yyyy-MM-dd} at {payUrl}",
            time.GetUtcNow());
    }

    [LoggerMessage(LogLevel.Information, "Invoice {InvoiceNumber} paid through Stripe ({PaymentIntentId})")]
    private partial void LogSettled(long invoiceNumber, string paymentIntentId);
}
