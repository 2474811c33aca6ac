using System.Text.Json.Nodes;
using StripeEmulator.Http;

namespace StripeEmulator.PaymentMethods;

/// <summary>Stripe's payment_method object shape (type card).</summary>
public static class PaymentMethodJson
{
    // Test cards never expire in the emulator; a fixed far-off date keeps responses stable.
    private const int ExpiryMonth = 12;
    private const int ExpiryYear = 2034;

    public static JsonObject Render(PaymentMethod paymentMethod) => new()
    {
        ["id"] = paymentMethod.Id,
        ["object"] = "payment_method",
        ["allow_redisplay"] = "unspecified",
        ["billing_details"] = new JsonObject
        {
            ["address"] = new JsonObject
            {
                ["city"] = null, ["country"] = null, ["line1"] = null, ["line2"] = null, ["postal_code"] = null, ["state"] = null,
            },
            ["email"] = null,
            ["name"] = paymentMethod.BillingName,
            ["phone"] = null,
        },
        ["card"] = Card(paymentMethod.Card),
        ["created"] = paymentMethod.Created,
        ["customer"] = paymentMethod.CustomerId,
        ["livemode"] = false,
        ["metadata"] = JsonShapes.Metadata(paymentMethod.Metadata),
        ["type"] = "card",
    };

    /// <summary>The card hash, also used in a charge's payment_method_details.</summary>
    public static JsonObject Card(TestCard card) => new()
    {
        ["brand"] = card.Brand,
        ["checks"] = new JsonObject { ["address_line1_check"] = null, ["address_postal_code_check"] = null, ["cvc_check"] = "pass" },
        ["country"] = "US",
        ["display_brand"] = card.Brand,
        ["exp_month"] = ExpiryMonth,
        ["exp_year"] = ExpiryYear,
        ["fingerprint"] = card.Fingerprint,
        ["funding"] = card.Funding,
        ["generated_from"] = null,
        ["last4"] = card.Last4,
        ["networks"] = new JsonObject { ["available"] = new JsonArray(card.Brand), ["preferred"] = null },
        ["three_d_secure_usage"] = new JsonObject { ["supported"] = true },
        ["wallet"] = null,
    };
}
