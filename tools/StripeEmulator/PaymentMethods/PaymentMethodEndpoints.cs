using StripeEmulator.Errors;
using StripeEmulator.Expansion;
using StripeEmulator.Http;
using StripeEmulator.Store;

namespace StripeEmulator.PaymentMethods;

/// <summary>/v1/payment_methods: retrieve, attach to a customer, detach.</summary>
public static class PaymentMethodEndpoints
{
    public static IEndpointRouteBuilder MapPaymentMethodEndpoints(this IEndpointRouteBuilder v1)
    {
        v1.MapGet("/payment_methods/{id}", Retrieve);
        v1.MapPost("/payment_methods/{id}/attach", Attach);
        v1.MapPost("/payment_methods/{id}/detach", Detach);
        return v1;
    }

    private static IResult Retrieve(string id, FormParameters form, PaymentMethodResolver resolver, ObjectExpander expander) =>
        StripeResults.Json(expander.Expand(PaymentMethodJson.Render(resolver.Resolve(id, param: null)), form));

    private static IResult Attach(string id, FormParameters form, EmulatorStore store, PaymentMethodResolver resolver, ObjectExpander expander)
    {
        var customerId = form.Required("customer");
        var customer = store.Customers.Get(customerId, "customer");
        var attached = resolver.Attach(id, customer, param: null);
        return StripeResults.Json(expander.Expand(PaymentMethodJson.Render(attached), form));
    }

    private static IResult Detach(string id, FormParameters form, EmulatorStore store, ObjectExpander expander)
    {
        var detached = store.Atomically(() =>
        {
            var paymentMethod = store.PaymentMethods.Get(id);
            if (paymentMethod.CustomerId is not { } customerId)
            {
                throw StripeErrors.InvalidRequest("The payment method you provided is not attached to a customer so detachment is impossible.");
            }

            // Stripe clears the customer's default when its card is detached.
            if (store.Customers.Find(customerId) is { } customer && customer.DefaultPaymentMethodId == id)
            {
                store.Customers.Save(customer with { DefaultPaymentMethodId = null });
            }

            return store.PaymentMethods.Save(paymentMethod with { CustomerId = null, Spent = true });
        });

        return StripeResults.Json(expander.Expand(PaymentMethodJson.Render(detached), form));
    }
}
