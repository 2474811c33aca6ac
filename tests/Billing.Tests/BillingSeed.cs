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
        new(db, stripe, new InvoiceSettlement(time), Issuer(), new Consolidation.ConsolidatedInvoices(Issuer(), time), Options.Create(new BillingOptions()), time,
            NullLogger<RenewalProcessor>.Instance);

    public static readonly Contracts.Ordering.ProductPublished[] Products =
    [
        Product("promta-starter", "ProMTA Starter", 14900, 1, 1),
        Product("promta-business", "ProMTA Business", 39900, 4, 2),
        Product("promta-enterprise", "ProMTA Enterprise", 119900, 16, 3),
    ];

    private static Contracts.Ordering.ProductPublished Product(string id, string name, long price, int ips, int sort) => new()
    {
        ProductId = id, Name = name, MonthlyPriceMinor = price, Currency = "EUR", DedicatedIps = ips, SortOrder = sort, ExtraIpMonthlyPriceMinor = 2500,
        PublishedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
    };

    /// <summary>The catalogue as Ordering publishes it (migration 0001's three products).</summary>
    public static async Task CatalogueAsync(UnitOfWork work)
    {
        foreach (var product in Products) await Catalogue.BilledProducts.SaveAsync(work, product);
    }

    /// <summary>Delivery's ServiceActivated reached Billing: the service may change plans.</summary>
    public static Task LiveAsync(UnitOfWork work, Guid serviceId, DateTimeOffset at) => PlanChangeRepository.MarkLiveAsync(work, serviceId, at);

    public static PlanChanges.PlanChanger PlanChanger(Database db, StripePayments stripe, TimeProvider time, TimeZoneInfo zone) =>
        new(db, UpgradeCharge(db, stripe, time), Issuer(), new BillingCalendar(zone), time, NullLogger<PlanChanges.PlanChanger>.Instance);

    public static PlanChanges.UpgradeCharge UpgradeCharge(Database db, StripePayments stripe, TimeProvider time) =>
        new(db, stripe, Options.Create(new BillingOptions()), time, NullLogger<PlanChanges.UpgradeCharge>.Instance);

    public static PlanChanges.DowngradeSwitch Downgrades(Database db, TimeProvider time) =>
        new(db, time, NullLogger<PlanChanges.DowngradeSwitch>.Instance);

    /// <summary>Invoices as the local default seller (a Dutch company) issues them.</summary>
    public static InvoiceIssuer Issuer() => new(new VatRules(new VatOptions(), "NL"), Options.Create(new SellerOptions()));
}
