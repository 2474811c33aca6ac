using StripeEmulator.Store;

namespace StripeEmulator.SetupIntents;

/// <summary>A SetupIntent as Checkout in setup mode leaves it: the card saved for later off-session payments.</summary>
public sealed record SetupIntent : IStripeObject
{
    public required string Id { get; init; }
    public required long Created { get; init; }
    public required string ClientSecret { get; init; }
    public required string PaymentMethodId { get; init; }
    public string? CustomerId { get; init; }
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
}
