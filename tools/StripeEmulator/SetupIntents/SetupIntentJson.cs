using System.Text.Json.Nodes;
using StripeEmulator.Http;

namespace StripeEmulator.SetupIntents;

/// <summary>Stripe's setup_intent object shape (always succeeded here: the emulator has no pending setups).</summary>
public static class SetupIntentJson
{
    public static JsonObject Render(SetupIntent intent) => new()
    {
        ["id"] = intent.Id,
        ["object"] = "setup_intent",
        ["application"] = null,
        ["automatic_payment_methods"] = null,
        ["cancellation_reason"] = null,
        ["client_secret"] = intent.ClientSecret,
        ["created"] = intent.Created,
        ["customer"] = intent.CustomerId,
        ["description"] = null,
        ["flow_directions"] = null,
        ["last_setup_error"] = null,
        ["latest_attempt"] = null,
        ["livemode"] = false,
        ["mandate"] = null,
        ["metadata"] = JsonShapes.Metadata(intent.Metadata),
        ["next_action"] = null,
        ["on_behalf_of"] = null,
        ["payment_method"] = intent.PaymentMethodId,
        ["payment_method_options"] = new JsonObject
        {
            ["card"] = new JsonObject { ["mandate_options"] = null, ["network"] = null, ["request_three_d_secure"] = "automatic" },
        },
        ["payment_method_types"] = new JsonArray("card"),
        ["single_use_mandate"] = null,
        ["status"] = "succeeded",
        ["usage"] = "off_session",
    };
}
