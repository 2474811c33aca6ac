using System.Globalization;
using ProMTA.Billing.Data;
using ProMTA.Contracts.Billing;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Refunds;

/// <summary>
/// Records a refund beside the invoice it pays back (the invoice itself never changes, rule 14), whoever reports it
/// first: our own refund call or one of Stripe's webhooks (refund.created, refund.updated, charge.refunded, in any
/// order, any number of times). The customer is told, and PaymentRefunded published, once per refund: when it
/// succeeds. A refund that fails afterwards (the bank returned it) is recorded and the customer told.
/// A refund never touches the service: rule 11 makes refunds rare (no refunds on cancellation), and whoever
/// refunds (a rejected order, staff in Stripe's dashboard as a goodwill gesture) decides about the service separately.
/// </summary>
public sealed class RefundRecorder(TimeProvider time)
{
    private const string Succeeded = "succeeded";

    public async Task RecordAsync(UnitOfWork work, PaidByStripe invoice, RefundReport refund)
    {
        var known = await RefundRepository.FindStateAsync(work, refund.Id);
        if (known is null)
        {
            await RefundRepository.InsertAsync(work, invoice.InvoiceId, refund);
        }
        else if (known.Status == refund.Status || refund.ReportedAt < known.StatusAt)
        {
            return; // nothing new, or an older snapshot than the one kept
        }
        else
        {
            await RefundRepository.UpdateStatusAsync(work, refund);
        }
        await RefundRepository.UpdateInvoiceTotalAsync(work, invoice.InvoiceId);

        var amount = Money(refund.AmountMinor, refund.Currency);
        if (refund.Status == Succeeded)
        {
            await work.PublishAsync(new PaymentRefunded
            {
                OrderId = invoice.OrderId, ServiceId = invoice.ServiceId, InvoiceId = invoice.InvoiceId, AmountMinor = refund.AmountMinor,
                Currency = refund.Currency, RefundedAt = refund.CreatedAt, RefundId = refund.Id,
            });
            await NotifyAsync(work, invoice, "refund", $"We refunded {amount} of invoice {invoice.Number} to your card. Your bank shows it within 5-10 days.");
        }
        else if (refund.Status is "failed" or "canceled" && known?.Status == Succeeded)
        {
            await NotifyAsync(work, invoice, "refund-failed",
                $"The refund of {amount} of invoice {invoice.Number} could not reach your card (the bank returned it). Your account manager will contact you.");
        }
    }

    private Task NotifyAsync(UnitOfWork work, PaidByStripe invoice, string kind, string message) =>
        NotificationRepository.NotifyAsync(work, invoice.CustomerId, invoice.ServiceId, kind, message, time.GetUtcNow());

    public static string Money(long minor, string currency) =>
        string.Create(CultureInfo.InvariantCulture, $"{minor / 100m:0.00} {currency.ToUpperInvariant()}");
}
