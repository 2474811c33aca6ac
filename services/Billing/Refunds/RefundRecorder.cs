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
/// Each succeeded refund is credited once by a credit note (issue 17). A refund never touches the service: rule 11 makes refunds rare (no refunds on cancellation), and whoever
/// refunds (a rejected order, staff in Stripe's dashboard as a goodwill gesture) decides about the service separately.
/// </summary>
public sealed class RefundRecorder(TimeProvider time)
{
    private const string Succeeded = "succeeded";

    /// <param name="creditReason">Why the money goes back, printed on the credit note; a refund made in Stripe's dashboard says only that.</param>
    public async Task RecordAsync(UnitOfWork work, PaidByStripe invoice, RefundReport refund, string? creditReason = null)
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
            // A refund is never an edit of the invoice: it is a credit note of its own series referencing it.
            var creditNote = await CreditNoteRepository.IssueAsync(work, invoice.InvoiceId, refund.Id,
                creditReason ?? $"Refund of {amount} of invoice {invoice.Number}{ReasonSuffix(refund.Reason)}.", refund.AmountMinor, time.GetUtcNow());
            await work.PublishAsync(new PaymentRefunded
            {
                OrderId = invoice.OrderId, ServiceId = invoice.ServiceId, InvoiceId = invoice.InvoiceId, AmountMinor = refund.AmountMinor,
                Currency = refund.Currency, RefundedAt = refund.CreatedAt, RefundId = refund.Id,
            });
            await NotifyAsync(work, invoice, "refund", $"We refunded {amount} of invoice {invoice.Number} to your card{(creditNote is { } n ? $" (credit note {CreditNotes.CreditNotePdf.Display(n)})" : "")}. Your bank shows it within 5-10 days.");
        }
        else if (refund.Status is "failed" or "canceled" && known?.Status == Succeeded)
        {
            await NotifyAsync(work, invoice, "refund-failed",
                $"The refund of {amount} of invoice {invoice.Number} could not reach your card (the bank returned it). Your account manager will contact you.");
        }
    }

    private static string ReasonSuffix(string? stripeReason) => stripeReason switch
    {
        "duplicate" => " (duplicate payment)",
        "fraudulent" => " (fraudulent payment)",
        "requested_by_customer" => " (requested by the customer)",
        _ => "",
    };

    private Task NotifyAsync(UnitOfWork work, PaidByStripe invoice, string kind, string message) =>
        NotificationRepository.NotifyAsync(work, invoice.CustomerId, invoice.ServiceId, kind, message, time.GetUtcNow());

    public static string Money(long minor, string currency) =>
        string.Create(CultureInfo.InvariantCulture, $"{minor / 100m:0.00} {currency.ToUpperInvariant()}");
}
