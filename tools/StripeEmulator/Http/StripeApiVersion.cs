namespace StripeEmulator.Http;

/// <summary>
/// The API version the emulator claims to speak. It is taken from the Stripe.net package the
/// Billing service uses, because Stripe.net's EventUtility.ConstructEvent rejects webhook events
/// whose <c>api_version</c> differs from its pinned one; bumping Stripe.net bumps this too.
/// </summary>
public static class StripeApiVersion
{
    public static string Current { get; } = global::Stripe.StripeConfiguration.ApiVersion;
}
