using System.Text.Json.Nodes;
using StripeEmulator.Http;

namespace StripeEmulator.Checkout;

/// <summary>Stripe's checkout.session object shape for a hosted session in setup mode.</summary>
public static class CheckoutSessionJson
{
    public static JsonObject Render(CheckoutSession session, long now, string baseUrl)
    {
        var status = session.StatusAt(now);
        return new JsonObject
        {
            ["id"] = session.Id,
            ["object"] = "checkout.session",
            ["adaptive_pricing"] = null,
            ["after_expiration"] = null,
            ["allow_promotion_codes"] = null,
            ["amount_subtotal"] = null,
            ["amount_total"] = null,
            ["automatic_tax"] = new JsonObject { ["enabled"] = false, ["liability"] = null, ["status"] = null },
            ["billing_address_collection"] = null,
            ["cancel_url"] = session.CancelUrl,
            ["client_reference_id"] = session.ClientReferenceId,
            ["client_secret"] = null,
            ["consent"] = null,
            ["consent_collection"] = null,
            ["created"] = session.Created,
            ["currency"] = session.Currency,
            ["custom_fields"] = new JsonArray(),
            ["custom_text"] = new JsonObject { ["after_submit"] = null, ["shipping_address"] = null, ["submit"] = null, ["terms_of_service_acceptance"] = null },
            ["customer"] = session.CustomerId,
            ["customer_creation"] = null,
            ["customer_details"] = session.CustomerEmail is null ? null : new JsonObject
            {
                ["address"] = null, ["email"] = session.CustomerEmail, ["name"] = null, ["phone"] = null, ["tax_exempt"] = "none", ["tax_ids"] = null,
            },
            ["customer_email"] = session.CustomerEmail,
            ["expires_at"] = session.ExpiresAt,
            ["invoice"] = null,
            ["invoice_creation"] = null,
            ["livemode"] = false,
            ["locale"] = null,
            ["metadata"] = JsonShapes.Metadata(session.Metadata),
            ["mode"] = session.Mode,
            ["payment_intent"] = null,
            ["payment_link"] = null,
            ["payment_method_collection"] = "always",
            ["payment_method_options"] = new JsonObject(),
            ["payment_method_types"] = new JsonArray("card"),
            ["payment_status"] = "no_payment_required",
            ["phone_number_collection"] = new JsonObject { ["enabled"] = false },
            ["recovered_from"] = null,
            ["setup_intent"] = session.SetupIntentId,
            ["shipping_address_collection"] = null,
            ["shipping_cost"] = null,
            ["shipping_options"] = new JsonArray(),
            ["status"] = status,
            ["submit_type"] = null,
            ["subscription"] = null,
            ["success_url"] = session.SuccessUrl,
            ["total_details"] = null,
            ["ui_mode"] = "hosted",
            // Like Stripe, the page's URL is only given while the session can still be completed.
            ["url"] = status == CheckoutSession.Open ? HostedPageUrl(baseUrl, session.Id) : null,
        };
    }

    public static string HostedPageUrl(string baseUrl, string sessionId) => $"{baseUrl}/c/pay/{sessionId}";
}
