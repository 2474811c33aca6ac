using Microsoft.Extensions.Options;
using ProMTA.Billing.Apis;
using ProMTA.Billing.Checkout;
using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.Billing.Stripe;
using ProMTA.ServiceDefaults.Http.Input;
using ProMTA.ServiceDefaults.Mail;

namespace ProMTA.Billing;

public static class Extensions
{
    public const string Schema = "billing";
    // The emulator checks that a key is sent, like Stripe; it is not a secret.
    private const string EmulatorApiKey = "sk_test_emulator";

    public static IHostApplicationBuilder AddBilling(this IHostApplicationBuilder builder) =>
        builder.AddPlatformService(Schema, typeof(Extensions).Assembly).AddBillingServices();

    /// <summary>Billing's own services, options and background work, over a database and caller authentication added before.</summary>
    public static IHostApplicationBuilder AddBillingServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StripeOptions>().BindConfiguration("Stripe")
            .Validate(o => !o.UsesEmulator || Uri.IsWellFormedUriString(o.EmulatorUrl, UriKind.Absolute),
                "Set Stripe:SecretKey, or Stripe:EmulatorUrl to the local Stripe emulator")
            .ValidateOnStart();
        builder.Services.AddSingleton<global::Stripe.IStripeClient>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StripeOptions>>().Value;
            return options.UsesEmulator
                ? new global::Stripe.StripeClient(EmulatorApiKey, apiBase: options.EmulatorUrl!.TrimEnd('/'))
                : new global::Stripe.StripeClient(options.SecretKey);
        });
        builder.Services.AddSingleton<StripePayments>();
        builder.Services.AddExceptionHandler<StripeUnavailableHandler>();
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<Checkout.CheckoutSessions>();
        // One source for the business zone: Billing:TimeZone through BillingOptions.
        builder.Services.AddSingleton(sp => new BillingCalendar(TimeZoneInfo.FindSystemTimeZoneById(sp.GetRequiredService<IOptions<BillingOptions>>().Value.TimeZone)));
        builder.Services.AddSingleton<CancellationPolicy>();
        builder.Services.AddSingleton<Renewals.RenewalProcessor>();
        builder.Services.AddSingleton<Renewals.InvoiceSettlement>();
        builder.Services.AddSingleton<Consolidation.ConsolidatedInvoices>();
        builder.Services.AddSingleton<Consolidation.BillingDayChanger>();
        builder.Services.AddSingleton<Refunds.RefundRecorder>();
        builder.Services.AddSingleton<Webhooks.PaymentIntentEvents>();
        builder.Services.AddSingleton<Webhooks.RefundEvents>();
        builder.Services.AddSingleton<Webhooks.DisputeEvents>();
        builder.Services.AddSingleton<Webhooks.StripeEventHandler>();
        builder.Services.AddSingleton<Webhooks.PaymentLookup>();
        builder.Services.AddOptions<BillingOptions>().BindConfiguration("Billing")
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _), "Billing:TimeZone must be a time zone id such as Europe/Amsterdam")
            .ValidateOnStart();
        builder.Services.AddOptions<StripeWebhookOptions>().BindConfiguration("Stripe:Webhooks")
            .Validate(o => o.Secret.Length >= 16, "Stripe:Webhooks:Secret (the webhook signing secret) is required").ValidateOnStart();
        builder.Services.AddOptions<Renewals.RenewalOptions>().BindConfiguration("Billing:Renewals").ValidateOnStart();
        builder.Services.AddHostedService<Renewals.RenewalScheduler>();
        builder.Services.AddSingleton<InvoiceQueries>();
        builder.AddSmarthost("Billing:Email", "ProMTA Billing <billing@promta.local>");
        AddInvoicing(builder);
        builder.AddSmarthostMailer<Notifications.NotificationMailer>();
        AddPlanChanges(builder);
        return builder;
    }

    /// <summary>The catalogue's copy, plan changes and the downgrades the scheduler applies (issue 17).</summary>
    private static void AddPlanChanges(IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PlanChanges.PlanChanger>();
        builder.Services.AddSingleton<PlanChanges.UpgradeCharge>();
        builder.Services.AddSingleton<PlanChanges.AwaitedUpgrades>();
        builder.Services.AddSingleton<PlanChanges.DowngradeSwitch>();
        builder.Services.AddOptions<Catalogue.CatalogueRequestOptions>().BindConfiguration("Billing:Catalogue")
            .Validate(o => o.Interval > TimeSpan.Zero, "Billing:Catalogue:Interval must be positive").ValidateOnStart();
        builder.Services.AddHostedService<Catalogue.CatalogueRequest>();
    }

    /// <summary>Seller, VAT, billing profiles, invoice and credit-note documents (issue 17).</summary>
    private static void AddInvoicing(IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<Invoices.SellerOptions>().BindConfiguration("Billing:Seller")
            .Validate(o => !string.IsNullOrWhiteSpace(o.LegalName) && !string.IsNullOrWhiteSpace(o.VatId), "Billing:Seller needs LegalName and VatId")
            .ValidateOnStart();
        builder.Services.AddOptions<Vat.VatOptions>().BindConfiguration("Billing:Vat").ValidateOnStart();
        builder.Services.AddOptions<Invoices.PdfOptions>().BindConfiguration("Billing:Pdf").ValidateOnStart();
        builder.Services.AddSingleton(sp =>
        {
            var vat = sp.GetRequiredService<IOptions<Vat.VatOptions>>().Value;
            var country = sp.GetRequiredService<IOptions<Invoices.SellerOptions>>().Value.Country.ToUpperInvariant();
            return vat.IsEu(country)
                ? new Vat.VatRules(vat, country)
                : throw new OptionsValidationException("Billing:Seller:Country", typeof(Invoices.SellerOptions),
                    [$"Billing:Seller:Country {country} has no rate in Billing:Vat:Rates: the seller must be established in the EU"]);
        });
        builder.Services.AddSingleton<Vat.IVatIdCheck, Vat.VatIdFormatCheck>();
        builder.Services.AddSingleton<Invoices.InvoiceIssuer>();
        builder.Services.AddSingleton<Orders.FirstMonthCharge>();
        builder.Services.AddOptions<Charges.ChargeIntentRecoveryOptions>().BindConfiguration("Billing:ChargeIntentRecovery").ValidateOnStart();
        builder.Services.AddHostedService<Charges.ChargeIntentRecovery>();
        builder.Services.AddSingleton<Invoices.PdfFonts>();
        builder.Services.AddSingleton<Invoices.DocumentPdf>();
        builder.Services.AddSingleton<Invoices.InvoicePdf>();
        builder.Services.AddSingleton<CreditNotes.CreditNotePdf>();
    }

    public static WebApplication MapBillingApis(this WebApplication app)
    {
        app.MapPlatformEndpoints().MapGroup("/api").MapInvoicesApi().MapCancellationApi().MapPaymentMethodsApi().MapStripeWebhooksApi().MapNotificationsApi().MapBankTransferApi()
            .MapDisputesApi()
            .MapCheckoutApi().MapCancellationPreviewApi().MapBillingProfileApi().MapCreditNotesApi()
            .MapStaffBillingApi().MapPlanChangeApi().MapBillingDayApi();
        return app;
    }
}
