using Microsoft.Extensions.DependencyInjection.Extensions;
using StripeEmulator.Auth;
using StripeEmulator.Charges;
using StripeEmulator.Checkout;
using StripeEmulator.Customers;
using StripeEmulator.Disputes;
using StripeEmulator.Errors;
using StripeEmulator.Expansion;
using StripeEmulator.Http;
using StripeEmulator.Idempotency;
using StripeEmulator.Latency;
using StripeEmulator.Ledger;
using StripeEmulator.PaymentIntents;
using StripeEmulator.PaymentMethods;
using StripeEmulator.Refunds;
using StripeEmulator.SetupIntents;
using StripeEmulator.Store;
using StripeEmulator.Webhooks;

namespace StripeEmulator;

/// <summary>Wiring of the emulator's services, middleware and endpoints.</summary>
public static class Extensions
{
    public static WebApplicationBuilder AddStripeEmulator(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<EmulatorStore>();
        services.AddSingleton<IdempotencyCache>();
        services.AddSingleton<ObjectExpander>();
        services.AddSingleton<PaymentMethodResolver>();
        services.AddSingleton<PaymentIntentConfirmation>();
        services.AddSingleton<DisputeLifecycle>();
        services.AddSingleton<ApiCallCounter>();
        services.AddSingleton<ApiLatency>();
        services.AddStripeWebhooks(builder.Configuration);
        return builder;
    }

    public static WebApplication UseStripeEmulator(this WebApplication app)
    {
        // Path fix-up must precede routing, so routing is placed explicitly after it.
        app.UseMiddleware<DoubleSlashMiddleware>();
        app.UseRouting();
        app.UseMiddleware<StripeHeadersMiddleware>();

        // Only the Stripe API needs a key and idempotency; /health and /_emulator stay open.
        // Order matters: idempotency wraps error translation so that 402s are replayed too.
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/v1"),
            v1 => v1.UseMiddleware<ApiLatencyMiddleware>().UseMiddleware<ApiKeyMiddleware>().UseMiddleware<IdempotencyMiddleware>());
        app.UseMiddleware<StripeErrorMiddleware>();

        app.MapGet("/health", () => Results.Text("Healthy"));
        app.MapLedgerEndpoints();
        app.MapGet("/_emulator/requests", (ApiCallCounter counter) => Results.Json(counter.Snapshot()));
        app.MapThreeDSecureEndpoints();
        app.MapDisputeTrigger();
        app.MapHostedCheckoutEndpoints();

        var v1 = app.MapGroup("/v1");
        v1.MapCustomerEndpoints();
        v1.MapPaymentMethodEndpoints();
        v1.MapPaymentIntentEndpoints();
        v1.MapChargeEndpoints();
        v1.MapRefundEndpoints();
        v1.MapDisputeEndpoints();
        v1.MapSetupIntentEndpoints();
        v1.MapCheckoutSessionEndpoints();

        // An endpoint the emulator lacks answers like Stripe does for a wrong URL, so the
        // Stripe.net caller gets a readable StripeException instead of an empty 404.
        app.MapFallback("/v1/{**path}", UnrecognizedUrl);
        return app;
    }

    private static IResult UnrecognizedUrl(HttpContext context) =>
        throw StripeErrors.UnrecognizedUrl(context.Request.Method, context.Request.Path);
}
