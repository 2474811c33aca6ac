using StripeEmulator.Customers;
using StripeEmulator.Errors;
using StripeEmulator.Expansion;
using StripeEmulator.Http;
using StripeEmulator.Store;

namespace StripeEmulator.Checkout;

/// <summary>
/// /v1/checkout/sessions: create, retrieve, expire. Only mode=setup is emulated (save a card for later
/// off-session charges); payment and subscription modes answer with a clear invalid_request_error.
/// </summary>
public static class CheckoutSessionEndpoints
{
    private static readonly TimeSpan MinLifetime = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(24);

    public static IEndpointRouteBuilder MapCheckoutSessionEndpoints(this IEndpointRouteBuilder v1)
    {
        v1.MapPost("/checkout/sessions", Create);
        v1.MapGet("/checkout/sessions/{id}", Retrieve);
        v1.MapPost("/checkout/sessions/{id}/expire", Expire);
        return v1;
    }

    private static IResult Create(FormParameters form, StripeRequestContext request, EmulatorStore store, ObjectExpander expander, TimeProvider clock)
    {
        var mode = form.Required("mode");
        if (mode is not ("payment" or "setup" or "subscription"))
        {
            throw StripeErrors.InvalidRequest($"Invalid mode: must be one of payment, setup, or subscription", "mode");
        }
        if (mode != "setup")
        {
            throw StripeErrors.InvalidRequest($"The Stripe emulator supports Checkout in mode=setup only (got mode={mode}).", "mode");
        }

        var successUrl = ReadUrl(form, "success_url") ?? throw StripeErrors.ParameterMissing("success_url");
        var cancelUrl = ReadUrl(form, "cancel_url");
        var customerId = form.GetNonEmpty("customer");
        var customerEmail = form.GetNonEmpty("customer_email");
        if (customerId is not null && customerEmail is not null)
        {
            throw StripeErrors.InvalidRequest("You may only specify one of these parameters: customer, customer_email.", "customer_email");
        }

        foreach (var param in new[] { "payment_method_types", "allowed_payment_method_types" })
        {
            if (form.GetList(param).Any(type => type != "card"))
            {
                throw StripeErrors.InvalidRequest($"The Stripe emulator's Checkout accepts {param}[]=card only.", param);
            }
        }

        var currency = form.GetNonEmpty("currency")?.ToLowerInvariant();
        if (currency is not null && (currency.Length != 3 || !currency.All(char.IsAsciiLetterLower)))
        {
            throw StripeErrors.InvalidRequest($"Invalid currency: {currency}.", "currency");
        }

        var now = clock.GetUtcNow();
        var expiresAt = form.GetLong("expires_at") ?? now.Add(MaxLifetime).ToUnixTimeSeconds();
        if (expiresAt < now.Add(MinLifetime).ToUnixTimeSeconds() || expiresAt > now.Add(MaxLifetime).ToUnixTimeSeconds())
        {
            throw StripeErrors.InvalidRequest("The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.", "expires_at");
        }

        var session = store.Atomically(() =>
        {
            if (customerId is not null)
            {
                store.Customers.Get(customerId, "customer");
            }

            return store.CheckoutSessions.Save(new CheckoutSession
            {
                Id = $"cs_test_{StripeIds.Random(58)}",
                Created = now.ToUnixTimeSeconds(),
                ExpiresAt = expiresAt,
                Mode = mode,
                SuccessUrl = successUrl,
                CancelUrl = cancelUrl,
                CustomerId = customerId,
                CustomerEmail = customerEmail,
                ClientReferenceId = form.GetNonEmpty("client_reference_id"),
                Currency = currency,
                Metadata = Metadata.ForCreate(form),
                SetupIntentMetadata = form.GetHash("setup_intent_data[metadata]") ?? Metadata.Empty,
            });
        });

        return StripeResults.Json(expander.Expand(CheckoutSessionJson.Render(session, now.ToUnixTimeSeconds(), request.BaseUrl), form));
    }

    private static IResult Retrieve(string id, FormParameters form, StripeRequestContext request, EmulatorStore store, ObjectExpander expander, TimeProvider clock)
    {
        var session = store.CheckoutSessions.Get(id);
        return StripeResults.Json(expander.Expand(CheckoutSessionJson.Render(session, clock.GetUtcNow().ToUnixTimeSeconds(), request.BaseUrl), form));
    }

    private static IResult Expire(string id, FormParameters form, StripeRequestContext request, EmulatorStore store, ObjectExpander expander, TimeProvider clock)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var expired = store.Atomically(() =>
        {
            var session = store.CheckoutSessions.Get(id);
            if (session.StatusAt(now) != CheckoutSession.Open)
            {
                throw StripeErrors.InvalidRequest($"Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a status of \"{session.StatusAt(now)}\".");
            }

            return store.CheckoutSessions.Save(session with { Status = CheckoutSession.Expired });
        });
        return StripeResults.Json(expander.Expand(CheckoutSessionJson.Render(expired, now, request.BaseUrl), form));
    }

    private static string? ReadUrl(FormParameters form, string param) => form.GetNonEmpty(param) switch
    {
        null => null,
        var url when Uri.TryCreate(url.Replace("{CHECKOUT_SESSION_ID}", "x", StringComparison.Ordinal), UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) => url,
        _ => throw StripeErrors.InvalidRequest("Not a valid URL", param, "url_invalid"),
    };
}
