namespace ProMTA.Billing.Stripe;

public sealed class StripeOptions
{
    /// <summary>The real secret key (from a secret store, never committed). Empty: use the local emulator.</summary>
    public string? SecretKey { get; set; }

    /// <summary>The local Stripe emulator's base URL, used only when no <see cref="SecretKey"/> is set.</summary>
    public string? EmulatorUrl { get; set; }

    public bool UsesEmulator => string.IsNullOrWhiteSpace(SecretKey);
}
