using StripeEmulator.Store;

namespace StripeEmulator.Checkout;

/// <summary>A Checkout Session (mode setup): open until the customer saves a card on the hosted page, or it expires.</summary>
public sealed record CheckoutSession : IStripeObject
{
    public const string Open = "open";
    public const string Complete = "complete";
    public const string Expired = "expired";

    public required string Id { get; init; }
    public required long Created { get; init; }
    public required long ExpiresAt { get; init; }
    public required string Mode { get; init; }
    public required string SuccessUrl { get; init; }
    public string? CancelUrl { get; init; }
    public string? CustomerId { get; init; }
    public string? CustomerEmail { get; init; }
    public string? ClientReferenceId { get; init; }
    public string? Currency { get; init; }
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
    public required IReadOnlyDictionary<string, string> SetupIntentMetadata { get; init; }
    public string Status { get; init; } = Open;
    public string? SetupIntentId { get; init; }

    /// <summary>Stripe expires a session lazily as far as a reader can tell: past expires_at an open session is expired.</summary>
    public string StatusAt(long now) => Status == Open && now >= ExpiresAt ? Expired : Status;
}
