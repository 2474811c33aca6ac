using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.Contracts.Billing;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Renewals;

/// <summary>
/// An invoice got paid, by a renewal charge or later through Stripe (3D Secure completed, webhook): the invoice is
/// marked paid, PaymentSucceeded is published, and the service's renewal state moves to the next period (resuming a
/// suspended service). Runs inside the caller's unit of work with the service row locked.
/// </summary>
public sealed class InvoiceSettlement(TimeProvider time)
{
    public DateTimeOffset Now => time.GetUtcNow();

    public async Task SettleAsync(UnitOfWork work, DueService service, OpenInvoice invoice, int period, string? paymentIntentId)
    {
        var now = time.GetUtcNow();
        await BillingRepository.MarkPaidAsync(work, invoice.InvoiceId, paymentIntentId, now);
        await work.PublishAsync(new PaymentSucceeded
        {
            OrderId = service.OrderId,
            ServiceId = service.ServiceId,
            InvoiceId = invoice.InvoiceId,
            InvoiceNumber = invoice.InvoiceNumber,
            AmountMinor = invoice.AmountMinor,
            Currency = service.Currency,
            PeriodIndex = period,
            PeriodStart = BillingCalendar.PeriodStart(service.Calendar, period),
            PeriodEnd = BillingCalendar.PeriodEnd(service.Calendar, period),
            BillingDay = service.BillingDay,
            ProductId = service.PlanOf(period).ProductId,
            DedicatedIps = service.PlanOf(period).DedicatedIps,
            PaidAt = now,
            RequiresReview = period == 0 && service.RequiresReview,
        });
        if (service.BillingStatus == "Suspended")
        {
            await work.PublishAsync(new ServiceResumed { OrderId = service.OrderId, ServiceId = service.ServiceId, ResumedAt = now });
        }
        var next = period + 1;
        var nextDue = service.LastDay is { } lastDay && BillingCalendar.PeriodStart(service.Calendar, next) > lastDay
            ? lastDay.AddDays(1)
            : BillingCalendar.ChargeDate(service.Calendar, next);
        await RenewalRepository.SaveAsync(work, service.ServiceId, new RenewalState("Active", next, 0, nextDue));
    }
}
