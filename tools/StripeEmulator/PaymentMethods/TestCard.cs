namespace StripeEmulator.PaymentMethods;

/// <summary>What happens when a card is charged.</summary>
public enum CardOutcome
{
    Succeeds,
    Declines,
    /// <summary>3D Secure: on-session goes to requires_action, off-session fails with authentication_required.</summary>
    RequiresAuthentication,
}

/// <summary>The card_error a declining card produces.</summary>
public sealed record CardDecline(string Code, string DeclineCode, string Message);

/// <summary>One of Stripe's documented test PaymentMethod tokens and how it behaves.</summary>
public sealed record TestCard(
    string Token,
    string Brand,
    string Last4,
    string Funding,
    string Fingerprint,
    CardOutcome Outcome,
    CardDecline? Decline = null,
    string? DisputeReason = null);
