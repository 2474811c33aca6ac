namespace ProMTA.Contracts.Billing;

/// <summary>A charge was declined or needs the customer's authentication.</summary>
public sealed record PaymentFailed
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required int PeriodIndex { get; init; }
    /// <summary>What the customer is told, e.g. "Your card was declined."</summary>
    public required string Reason { get; init; }
    /// <summary>Stripe's error code, e.g. card_declined or authentication_required.</summary>
    public string? Code { get; init; }
    public string? DeclineCode { get; init; }
    public required DateTimeOffset FailedAt { get; init; }
    /// <summary>Where the customer authenticates the payment (3D Secure) when the bank asks for it.</summary>
    public string? PayUrl { get; init; }
}
