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
            var defaultId = form.Get(DefaultPaymentMethodParam);
            if (!string.IsNullOrEmpty(defaultId))
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
        var customer = store.Customers.Find(id) ?? throw StripeErrors.ResourceMissing("customer", id);
        return StripeResults.Json(expander.Expand(CustomerJson.Render(customer), form));
    }

    private static IResult Update(string id, FormParameters form, EmulatorStore store, ObjectExpander expander)
    {
        var customer = store.Atomically(() =>
        {
            var existing = store.Customers.Find(id) ?? throw StripeErrors.ResourceMissing("customer", id);
            var updated = existing with
            {
                Email = form.Has("email") ? NullIfEmpty(form.Get("email")) : existing.Email,
                Name = form.Has("name") ? NullIfEmpty(form.Get("name")) : existing.Name,
                Description = form.Has("description") ? NullIfEmpty(form.Get("description")) : existing.Description,
                Phone = form.Has("phone") ? NullIfEmpty(form.Get("phone")) : existing.Phone,
                Metadata = Metadata.ForUpdate(existing.Metadata, form),
            };

            if (form.Has(DefaultPaymentMethodParam))
            {
                var defaultId = NullIfEmpty(form.Get(DefaultPaymentMethodParam));
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

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
