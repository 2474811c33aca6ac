namespace ProMTA.Billing.Stripe;

public sealed class StripeWebhookOptions
{
    /// <summary>The endpoint's signing secret (whsec_...), from the environment or a secret store.</summary>
    public string Secret { get; set; } = "";
}
