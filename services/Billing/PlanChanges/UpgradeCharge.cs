using System.Globalization;
using Microsoft.Extensions.Options;
using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.Billing.Stripe;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.PlanChanges;

/// <summary>
/// An upgrade's card charge once its intent is committed (issue 20): Stripe is called outside any transaction with the
/// change's key, then one short transaction writes the result with the service's row locked again. PlanChanger runs it
/// right after recording the intent; ChargeIntentRecovery runs it for an intent whose worker died.
/// </summary>
public sealed partial class UpgradeCharge(Database db, StripePayments stripe, IOptions<BillingOptions> options, TimeProvider time, ILogger<UpgradeCharge> log)
{
    /// <summary>
    /// Charges a recorded upgrade, outside any transaction, and writes the result in a short transaction of its own:
    /// applied with its paid proration invoice, declined, or waiting for 3-D Secure. Safe to repeat (the customer asking
    /// again after a crash, ChargeIntentRecovery): every Stripe call carries the change's key, so Stripe answers the
    /// first payment, and only the first worker to lock the pending intent writes the result.
    /// </summary>
    public async Task<PlanChangeOutcome> CompleteAsync(string key, CancellationToken ct)
    {
        var recorded = await ChargeIntents.FindAsync(db, key, ct) ?? throw new InvalidOperationException($"No plan change charge {key} was recorded");
        var intent = recorded.Read<PlanChangeIntent>();
        var result = recorded.Completed ? null : await ChargeAsync(key, intent, ct);

        await using var work = await db.BeginAsync(ct);
        // The service's row first, as every writer of the service takes it, then the intent.
        await PlanChangeRepository.FindForUpdateAsync(work, intent.Service.CustomerId, intent.Service.ServiceId);
        if (result is null || !await ChargeIntents.LockPendingAsync(work, key)) return await RecordedOutcomeAsync(work, intent); // recorded by another worker
        var outcome = await RecordResultAsync(work, intent, result);
        await ChargeIntents.CompleteAsync(work, key, time.GetUtcNow());
        await work.CommitAsync(ct);
        return outcome;
    }

    private async Task<ChargeResult> ChargeAsync(string key, PlanChangeIntent intent, CancellationToken ct)
    {
        var (service, quote) = (intent.Service, intent.Quote);
        if (service.StripePaymentMethodId is null) return new ChargeResult(false, null, "No card on file.", "no_payment_method", null);
        var result = await stripe.ChargeAsync(service.StripeCustomerId, service.StripePaymentMethodId, intent.Content.GrossMinor, service.Currency, key,
            offSession: true,
            new Dictionary<string, string> { ["service_id"] = service.ServiceId.ToString(), ["plan_change"] = intent.Number.ToString(CultureInfo.InvariantCulture) },
            $"ProMTA {quote.To.ProductId}, upgrade from {quote.From.ProductId} for {intent.Today:yyyy-MM-dd} to {quote.Periods[^1].End.AddDays(-1):yyyy-MM-dd}", ct);
        if (result is { Code: "authentication_required", PaymentIntentId: { } intentId, PayUrl: null })
        {
            // 3-D Secure, as for a first payment: the customer authenticates through the link (keyed by the change too).
            result = result with { PayUrl = await stripe.AuthenticationLinkAsync(intentId, service.StripePaymentMethodId,
                $"{options.Value.PortalUrl.TrimEnd('/')}/services/{service.ServiceId}", $"{key}-authenticate", ct) };
        }
        return result;
    }

    private async Task<PlanChangeOutcome> RecordResultAsync(UnitOfWork work, PlanChangeIntent intent, ChargeResult result)
    {
        var (changeId, _, service, quote, preview, content, requestedAt, today) = intent;
        var now = time.GetUtcNow();
        if (result is { Succeeded: false, Code: "authentication_required", PaymentIntentId: { } intentId })
        {
            // The plan changes once Stripe reports the payment (OnPaymentIntentAsync). Nothing is invoiced until then.
            await PlanChangeRepository.AddAsync(work, PlanChanger.Row(changeId, service, quote, PlanChangeStatus.AwaitingPayment, now, null, null, requestedAt));
            await PlanChangeRepository.AwaitPaymentAsync(work, changeId, intentId, result.PayUrl);
            await NotificationRepository.NotifyAsync(work, service.CustomerId, service.ServiceId, "plan-change-payment",
                $"Your bank asks you to authenticate the payment of {PlanChanger.Money(content.GrossMinor)} {service.Currency} for the move to {quote.To.DisplayName}: complete it at {result.PayUrl}. The plan changes once it is paid.",
                now);
            return new PlanChangeOutcome.Done(new PlanChangeResult(changeId, PlanChangeStatus.AwaitingPayment, preview, null, null) { PayUrl = result.PayUrl });
        }
        if (!result.Succeeded)
        {
            var reason = result.Code == "authentication_required"
                ? "Your bank asks you to authenticate this payment, which cannot be done for a plan change."
                : result.FailureReason ?? "The payment failed.";
            await PlanChangeRepository.AddAsync(work, PlanChanger.Row(changeId, service, quote, PlanChangeStatus.Declined, now, null, reason, requestedAt));
            LogDeclined(service.ServiceId, quote.To.ProductId, result.Code);
            return PlanChanger.Declined(reason, quote, preview);
        }
        var invoiceId = Guid.CreateVersion7();
        // Numbered with the result, in this short transaction: a crash before its commit uses no number.
        var invoiceNumber = await BillingRepository.IssueInvoiceAsync(work, new NewInvoice(invoiceId, service.ServiceId, service.CustomerId,
            quote.Periods[0].Index, today, quote.Periods[^1].End, content.GrossMinor, service.Currency, now, content, InvoiceKind.Proration),
            new InvoicePayment(result.PaymentIntentId!, now));
        return await PlanChanger.AppliedAsync(work, service, quote, preview, changeId, now, today, invoiceId, invoiceNumber,
            $"Your service now runs on {quote.To.DisplayName}: invoice {invoiceNumber} charged {PlanChanger.Money(content.GrossMinor)} {service.Currency} for the days left of the paid period; the new dedicated IPs are being set up.",
            log, requestedAt);
    }

    /// <summary>What another worker recorded for the change (it locked the pending intent first): the same charge, the same answer.</summary>
    private static async Task<PlanChangeOutcome> RecordedOutcomeAsync(UnitOfWork work, PlanChangeIntent intent)
    {
        var decided = await PlanChangeRepository.FindDecidedAsync(work, intent.ChangeId)
            ?? throw new InvalidOperationException($"Plan change {intent.ChangeId} was charged but not recorded");
        return decided.Status == PlanChangeStatus.Declined
            ? PlanChanger.Declined(decided.FailureReason ?? "The payment failed.", intent.Quote, intent.Preview)
            : new PlanChangeOutcome.Done(new PlanChangeResult(intent.ChangeId, decided.Status, intent.Preview, decided.InvoiceId, decided.InvoiceNumber)
            {
                PayUrl = decided.PayUrl,
            });
    }


    [LoggerMessage(LogLevel.Information, "Upgrade of {ServiceId} to {To} declined: {Code}; plan unchanged")]
    private partial void LogDeclined(Guid serviceId, string to, string? code);
}
