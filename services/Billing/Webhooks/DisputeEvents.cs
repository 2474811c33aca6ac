using global::Stripe;
using ProMTA.Billing.Data;
using ProMTA.Billing.Refunds;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Webhooks;

/// <summary>
/// charge.dispute.* (created, updated, funds_withdrawn, funds_reinstated, closed): the dispute is recorded against
/// the invoice and listed for staff (GET /api/admin/disputes), who answer it with evidence in Stripe. The customer is
/// told when it opens and how it closed. The rules are silent on the service: it keeps running, because a dispute
/// is often a misunderstanding settled with the account manager, and suspending a mail server on a bank's
/// preliminary notice would punish customers who paid; staff can still cancel it. Events are applied in the order
/// Stripe created them, whatever order they arrive in.
/// </summary>
public sealed partial class DisputeEvents(PaymentLookup payments, TimeProvider time, ILogger<DisputeEvents> log)
{
    public async Task<StripeEventWrite> OnDisputeAsync(Event stripeEvent, Dispute dispute, CancellationToken ct)
    {
        await payments.IsRecordedAsync(dispute.PaymentIntentId, ct);
        return work => RecordAsync(work, stripeEvent, dispute);
    }

    private async Task RecordAsync(UnitOfWork work, Event stripeEvent, Dispute dispute)
    {
        if (await PaymentLookup.FindAsync(work, dispute.PaymentIntentId) is not { } invoice) return;
        var report = new DisputeReport(dispute.Id, dispute.Amount, dispute.Currency.ToUpperInvariant(), dispute.Reason, dispute.Status,
            StripeEventTime.Of(dispute.Created), StripeEventTime.Of(stripeEvent.Created));

        var known = await DisputeRepository.FindStateAsync(work, dispute.Id);
        if (known is null)
        {
            await DisputeRepository.InsertAsync(work, invoice, report);
            LogOpened(invoice.CustomerId, invoice.Number, dispute.Id, dispute.Reason);
        }
        else if (report.ReportedAt < known.StatusAt || known.Status == report.Status)
        {
            return;
        }
        else
        {
            await DisputeRepository.UpdateAsync(work, report);
        }

        var wasClosed = known is not null && DisputeReport.IsClosedStatus(known.Status);
        var amount = RefundRecorder.Money(dispute.Amount, dispute.Currency);
        if (known is null && !report.IsClosed)
        {
            await NotifyAsync(work, invoice, "dispute-opened",
                $"Your bank told us you dispute the payment of {amount} for invoice {invoice.Number}. Your service keeps running; your account manager will contact you to settle it.");
        }
        if (report.IsClosed && !wasClosed)
        {
            await NotifyAsync(work, invoice, "dispute-closed", report.Status == "won"
                ? $"The dispute of the payment for invoice {invoice.Number} was decided in our favour; the payment of {amount} stands."
                : $"The dispute of the payment for invoice {invoice.Number} closed ({report.Status}); {amount} went back to your card.");
        }
    }

    private Task NotifyAsync(UnitOfWork work, PaidByStripe invoice, string kind, string message) =>
        NotificationRepository.NotifyAsync(work, invoice.CustomerId, invoice.ServiceId, kind, message, time.GetUtcNow());

    [LoggerMessage(LogLevel.Warning, "Customer {CustomerId} disputes invoice {InvoiceNumber} ({DisputeId}, {Reason}): staff must answer it in Stripe")]
    private partial void LogOpened(Guid customerId, long invoiceNumber, string disputeId, string reason);
}
