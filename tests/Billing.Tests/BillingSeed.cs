using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.Billing.Invoices;
using ProMTA.Billing.Renewals;
using ProMTA.Billing.Stripe;
using ProMTA.Billing.Vat;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Tests;

/// <summary>Billing's rows as a paid first month leaves them, and the renewal scheduler over them.</summary>
internal static class BillingSeed
{
    /// <summary>An active promta-starter service (1 IP) whose first renewal is due on its regular charge date.</summary>
    public static BilledService ActiveStarter(Guid serviceId, Guid customerId, DateOnly orderedOn, int billingDay, string? card, DateTimeOffset at,
        long monthlyPriceMinor = 14900) =>
        new(serviceId, Guid.NewGuid(), customerId, "promta-starter", monthlyPriceMinor, "EUR", 1, orderedOn, billingDay, card, at, "Active",
            BillingCalendar.ChargeDate(orderedOn, 1));

    /// <summary>The customer's billing account with one <see cref="ActiveStarter"/> service, billed on the day of the order.</summary>
    public static async Task AccountWithActiveStarterAsync(UnitOfWork work, Guid customerId, string stripeCustomer, Guid serviceId,
        DateOnly orderedOn, string? card, DateTimeOffset at, long monthlyPriceMinor = 14900)
    {
        await BillingRepository.AddAccountAsync(work, customerId, stripeCustomer, at);
        await BillingRepository.AddServiceAsync(work, ActiveStarter(serviceId, customerId, orderedOn, orderedOn.Day, card, at, monthlyPriceMinor));
    }

    public static RenewalProcessor Renewals(Database db, StripePayments stripe, TimeProvider time) =>
        new(db, stripe, new InvoiceSettlement(time), Issuer(), Options.Create(new BillingOptions()), time, NullLogger<RenewalProcessor>.Instance);

    /// <summary>Invoices as the local default seller (a Dutch company) issues them.</summary>
    public static InvoiceIssuer Issuer() => new(new VatRules(new VatOptions(), "NL"), Options.Create(new SellerOptions()));
}
