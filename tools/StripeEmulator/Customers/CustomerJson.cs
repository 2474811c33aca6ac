using System.Text.Json.Nodes;
using StripeEmulator.Http;

namespace StripeEmulator.Customers;

/// <summary>Stripe's customer object shape.</summary>
public static class CustomerJson
{
    public static JsonObject Render(Customer customer) => new()
    {
        ["id"] = customer.Id,
        ["object"] = "customer",
        ["address"] = null,
        ["balance"] = 0,
        ["created"] = customer.Created,
        ["currency"] = null,
        ["default_source"] = null,
        ["delinquent"] = false,
        ["description"] = customer.Description,
        ["email"] = customer.Email,
        ["invoice_prefix"] = customer.InvoicePrefix,
        ["invoice_settings"] = new JsonObject
        {
            ["custom_fields"] = null,
            ["default_payment_method"] = customer.DefaultPaymentMethodId,
            ["footer"] = null,
            ["rendering_options"] = null,
        },
        ["livemode"] = false,
        ["metadata"] = JsonShapes.Metadata(customer.Metadata),
        ["name"] = customer.Name,
        ["next_invoice_sequence"] = 1,
        ["phone"] = customer.Phone,
        ["preferred_locales"] = new JsonArray(),
        ["shipping"] = null,
        ["tax_exempt"] = "none",
        ["test_clock"] = null,
    };
}
