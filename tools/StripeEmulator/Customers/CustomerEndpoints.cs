using StripeEmulator.Errors;
using StripeEmulator.Expansion;
using StripeEmulator.Http;
using StripeEmulator.PaymentMethods;
using StripeEmulator.Store;

namespace StripeEmulator.Customers;

/// <summary>/v1/customers: create, retrieve, update (notably the default payment method).</summary>
public static class CustomerEndpoints
{
    private const string DefaultPaymentMethodParam = "invoice_settings[default_payment_method]";

    public static IEndpointRouteBuilder MapCustomerEndpoints(this IEndpointRouteBuilder v1)
    {
        v1.MapPost("/customers", Create);
        v1.MapGet("/customers/{id}", Retrieve);
        v1.MapPost("/customers/{id}", Update);
        return v1;
    }

    private static IResult Create(FormParameters form, EmulatorStore store, PaymentMethodResolver paymentMethods, ObjectExpander expander, TimeProvider clock)
    {
        var customer = store.Atomically(() =>
        {
            var created = new Customer
            {
                Id = StripeIds.New("cus"),
                Created = clock.GetUtcNow().ToUnixTimeSeconds(),
                Email = form.Get("email"),
                Name = form.Get("name"),
                Description = form.Get("description"),
                Phone = form.Get("phone"),
                Metadata = Metadata.ForCreate(form),
                InvoicePrefix = StripeIds.Random(8).ToUpperInvariant(),
            };

            // Stripe lets a customer be created with a card attached in the same call.
            var attached = form.Get("payment_method") is { Length: > 0 } paymentMethodId
                ? paymentMethods.Attach(paymentMethodId, created, "payment_method")
                : null;
            if (form.GetNonEmpty(DefaultPaymentMethodParam) is { } defaultId)
            {
                var isAttached = attached is not null && (defaultId == attached.Id || defaultId == form.Get("payment_method"));
                if (!isAttached)
                {
                    throw NotAttached(defaultId);
                }

                created = created with { DefaultPaymentMethodId = attached!.Id };
            }

            return store.Customers.Save(created);
        });

        return StripeResults.Json(expander.Expand(CustomerJson.Render(customer), form));
    }

    private static IResult Retrieve(string id, FormParameters form, EmulatorStore store, ObjectExpander expander)
    {
        var customer = store.Customers.Get(id);
        return StripeResults.Json(expander.Expand(CustomerJson.Render(customer), form));
    }

    private static IResult Update(string id, FormParameters form, EmulatorStore store, ObjectExpander expander)
    {
        var customer = store.Atomically(() =>
        {
            var existing = store.Customers.Get(id);
            var updated = existing with
            {
                Email = form.Updated("email", existing.Email),
                Name = form.Updated("name", existing.Name),
                Description = form.Updated("description", existing.Description),
                Phone = form.Updated("phone", existing.Phone),
                Metadata = Metadata.ForUpdate(existing.Metadata, form),
            };

            if (form.Has(DefaultPaymentMethodParam))
            {
                var defaultId = form.GetNonEmpty(DefaultPaymentMethodParam);
                if (defaultId is not null && store.PaymentMethods.Find(defaultId)?.CustomerId != existing.Id)
                {
                    throw NotAttached(defaultId);
                }

                updated = updated with { DefaultPaymentMethodId = defaultId };
            }

            return store.Customers.Save(updated);
        });

        return StripeResults.Json(expander.Expand(CustomerJson.Render(customer), form));
    }

    private static StripeErrorException NotAttached(string paymentMethodId) =>
        StripeErrors.InvalidRequest(
            $"The customer does not have a payment method with the ID {paymentMethodId}. The payment method must be attached to the customer.",
            DefaultPaymentMethodParam,
            "resource_missing");
}
