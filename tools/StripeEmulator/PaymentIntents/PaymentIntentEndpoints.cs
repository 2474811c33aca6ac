using StripeEmulator.Errors;
using StripeEmulator.Expansion;
using StripeEmulator.Http;
using StripeEmulator.PaymentMethods;
using StripeEmulator.Store;

namespace StripeEmulator.PaymentIntents;

/// <summary>/v1/payment_intents: create (optionally confirming at once), retrieve, confirm, cancel.</summary>
public static class PaymentIntentEndpoints
{
    public static IEndpointRouteBuilder MapPaymentIntentEndpoints(this IEndpointRouteBuilder v1)
    {
        v1.MapPost("/payment_intents", Create);
        v1.MapGet("/payment_intents/{id}", Retrieve);
        v1.MapPost("/payment_intents/{id}/confirm", Confirm);
        v1.MapPost("/payment_intents/{id}/cancel", Cancel);
        return v1;
    }

    private static IResult Create(
        FormParameters form,
        StripeRequestContext request,
        EmulatorStore store,
        PaymentMethodResolver paymentMethods,
        PaymentIntentConfirmation confirmation,
        ObjectExpander expander,
        TimeProvider clock)
    {
        var amount = form.GetLong("amount") ?? throw StripeErrors.ParameterMissing("amount");
        if (amount < 1)
        {
            throw StripeErrors.InvalidRequest("This value must be greater than or equal to 1.", "amount");
        }

        var currency = ReadCurrency(form);
        var confirm = form.GetBool("confirm") ?? false;
        var offSession = ReadOffSession(form);
        if (offSession && !confirm)
        {
            throw StripeErrors.InvalidRequest("off_session can only be set when confirm=true.", "off_session");
        }

        var setupFutureUsage = ReadSetupFutureUsage(form);
        var confirmRequest = ConfirmationRequest.From(form, offSession); // parsed before anything is saved
        var result = store.Atomically(() =>
        {
            var customerId = form.GetNonEmpty("customer");
            if (customerId is not null)
            {
                store.Customers.Get(customerId, "customer");
            }

            var paymentMethod = form.Get("payment_method") is { Length: > 0 } paymentMethodId
                ? paymentMethods.ForPayment(paymentMethodId, customerId, "payment_method")
                : null;
            if (confirm && paymentMethod is null)
            {
                throw MissingPaymentMethod();
            }

            var intentId = StripeIds.New("pi");
            var intent = store.PaymentIntents.Save(new PaymentIntent
            {
                Id = intentId,
                Created = clock.GetUtcNow().ToUnixTimeSeconds(),
                Amount = amount,
                Currency = currency,
                CustomerId = customerId,
                PaymentMethodId = paymentMethod?.Id,
                Status = paymentMethod is null ? PaymentIntentStatus.RequiresPaymentMethod : PaymentIntentStatus.RequiresConfirmation,
                Description = form.Get("description"),
                ReceiptEmail = form.Get("receipt_email"),
                Metadata = Metadata.ForCreate(form),
                SetupFutureUsage = setupFutureUsage,
                ClientSecret = $"{intentId}_secret_{StripeIds.Random(25)}",
            });

            return confirm
                ? confirmation.Confirm(intent, paymentMethod!, confirmRequest, request)
                : new ConfirmationResult(intent);
        });

        return StripeResults.Json(expander.Expand(PaymentIntentJson.Render(result.IntentOrThrow()), form));
    }

    private static IResult Retrieve(string id, FormParameters form, EmulatorStore store, ObjectExpander expander)
    {
        var intent = store.PaymentIntents.Get(id);
        return StripeResults.Json(expander.Expand(PaymentIntentJson.Render(intent), form));
    }

    private static IResult Confirm(
        string id,
        FormParameters form,
        StripeRequestContext request,
        EmulatorStore store,
        PaymentMethodResolver paymentMethods,
        PaymentIntentConfirmation confirmation,
        ObjectExpander expander)
    {
        var offSession = ReadOffSession(form);
        var setupFutureUsage = form.Has("setup_future_usage") ? ReadSetupFutureUsage(form) : null;
        var confirmRequest = ConfirmationRequest.From(form, offSession);
        var result = store.Atomically(() =>
        {
            var intent = store.PaymentIntents.Get(id);
            var paymentMethod = form.Get("payment_method") is { Length: > 0 } paymentMethodId
                ? paymentMethods.ForPayment(paymentMethodId, intent.CustomerId, "payment_method")
                : intent.PaymentMethodId is { } current ? store.PaymentMethods.Find(current) : null;
            if (paymentMethod is null)
            {
                throw MissingPaymentMethod();
            }

            if (form.Has("setup_future_usage"))
            {
                intent = intent with { SetupFutureUsage = setupFutureUsage };
            }

            if (form.Get("receipt_email") is { Length: > 0 } receiptEmail)
            {
                intent = intent with { ReceiptEmail = receiptEmail };
            }

            return confirmation.Confirm(intent, paymentMethod, confirmRequest, request);
        });

        return StripeResults.Json(expander.Expand(PaymentIntentJson.Render(result.IntentOrThrow()), form));
    }

    private static IResult Cancel(string id, FormParameters form, EmulatorStore store, PaymentIntentConfirmation confirmation, ObjectExpander expander)
    {
        var reason = form.Get("cancellation_reason");
        if (reason is not null and not ("duplicate" or "fraudulent" or "requested_by_customer" or "abandoned"))
        {
            throw StripeErrors.InvalidRequest(
                $"Invalid cancellation_reason: must be one of duplicate, fraudulent, requested_by_customer, or abandoned", "cancellation_reason");
        }

        var canceled = store.Atomically(() =>
        {
            var intent = store.PaymentIntents.Get(id);
            return confirmation.Cancel(intent, reason);
        });
        return StripeResults.Json(expander.Expand(PaymentIntentJson.Render(canceled), form));
    }

    private static string ReadCurrency(FormParameters form)
    {
        var currency = form.Required("currency").ToLowerInvariant();
        return currency.Length == 3 && currency.All(char.IsAsciiLetterLower)
            ? currency
            : throw StripeErrors.InvalidRequest($"Invalid currency: {currency}.", "currency");
    }

    /// <summary>off_session is a boolean, or the legacy values one_off / recurring (both mean true).</summary>
    private static bool ReadOffSession(FormParameters form) => form.Get("off_session") switch
    {
        null or "false" => false,
        "true" or "one_off" or "recurring" => true,
        var other => throw StripeErrors.InvalidRequest($"Invalid boolean: {other}", "off_session"),
    };

    private static string? ReadSetupFutureUsage(FormParameters form) => form.Get("setup_future_usage") switch
    {
        null or "" => null,
        "on_session" => "on_session",
        "off_session" => "off_session",
        var other => throw StripeErrors.InvalidRequest(
            $"Invalid setup_future_usage: must be one of on_session or off_session (got {other})", "setup_future_usage"),
    };

    private static StripeErrorException MissingPaymentMethod() => StripeErrors.InvalidRequest(
        "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
        "payment_method",
        "payment_intent_unexpected_state");
}
