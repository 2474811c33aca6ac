namespace StripeEmulator.Webhooks;

/// <summary>
/// Configuration section <c>Webhooks</c> (env <c>Webhooks__Url</c>, <c>Webhooks__Secret</c>).
/// Without both Url and Secret no events are sent, like a Stripe account with no endpoint.
/// </summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>Where events are POSTed, e.g. Billing's /stripe/webhook.</summary>
    public string? Url { get; set; }

    /// <summary>The endpoint's signing secret (whsec_…), shared with the receiver.</summary>
    public string? Secret { get; set; }

    /// <summary>Deliveries per event before giving up (Stripe retries for days; a dev loop needs less).</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Delay before the first retry; it doubles after each failure.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public bool IsEnabled => !string.IsNullOrWhiteSpace(Url) && !string.IsNullOrWhiteSpace(Secret);
}
