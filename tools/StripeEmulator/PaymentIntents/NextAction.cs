using System.Text.Json.Nodes;

namespace StripeEmulator.PaymentIntents;

/// <summary>
/// The 3D Secure step a requires_action PaymentIntent asks for. Its URL points at the
/// emulator's own /_emulator/3ds page, so a developer (or test) can complete or fail it.
/// </summary>
public sealed record NextAction(string AuthenticationUrl, string? ReturnUrl, string SourceId)
{
    public JsonObject ToJson() => ReturnUrl is null
        ? new JsonObject
        {
            ["type"] = "use_stripe_sdk",
            ["use_stripe_sdk"] = new JsonObject
            {
                ["source"] = SourceId,
                ["stripe_js"] = AuthenticationUrl,
                ["type"] = "three_d_secure_redirect",
            },
        }
        : new JsonObject
        {
            ["type"] = "redirect_to_url",
            ["redirect_to_url"] = new JsonObject
            {
                ["return_url"] = ReturnUrl,
                ["url"] = AuthenticationUrl,
            },
        };
}
