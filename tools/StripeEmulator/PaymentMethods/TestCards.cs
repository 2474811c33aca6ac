using System.Diagnostics.CodeAnalysis;

namespace StripeEmulator.PaymentMethods;

/// <summary>
/// Stripe's test PaymentMethod tokens (https://docs.stripe.com/testing). Using a token
/// materializes a fresh pm_… like Stripe does, so Billing code that stores ids works unchanged.
/// </summary>
public static class TestCards
{
    public static TestCard AuthenticationRequiredDecline { get; } = new(
        "pm_card_authenticationRequired", "visa", "3184", "credit", "EmuAuthReq3184xx", CardOutcome.RequiresAuthentication,
        new CardDecline("authentication_required", "authentication_required", "Your card was declined. This transaction requires authentication."));

    private static readonly Dictionary<string, TestCard> ByToken = new TestCard[]
    {
        new("pm_card_visa", "visa", "4242", "credit", "EmuVisa4242xxxxx", CardOutcome.Succeeds),
        new("pm_card_mastercard", "mastercard", "4444", "credit", "EmuMc4444xxxxxxx", CardOutcome.Succeeds),
        new("pm_card_chargeDeclined", "visa", "0002", "credit", "EmuDecline0002xx", CardOutcome.Declines,
            new CardDecline("card_declined", "generic_decline", "Your card was declined.")),
        new("pm_card_chargeDeclinedInsufficientFunds", "visa", "9995", "credit", "EmuFunds9995xxxx", CardOutcome.Declines,
            new CardDecline("card_declined", "insufficient_funds", "Your card has insufficient funds.")),
        new("pm_card_chargeDeclinedExpiredCard", "visa", "0069", "credit", "EmuExpired0069xx", CardOutcome.Declines,
            new CardDecline("expired_card", "expired_card", "Your card has expired.")),
        // Succeeds, then the cardholder disputes it at once (Stripe's 4000 0000 0000 0259).
        new("pm_card_createDispute", "visa", "0259", "credit", "EmuDispute0259xx", CardOutcome.Succeeds, DisputeReason: "fraudulent"),
        AuthenticationRequiredDecline,
    }.ToDictionary(card => card.Token, StringComparer.Ordinal);

    public static bool TryGet(string token, [NotNullWhen(true)] out TestCard? card) => ByToken.TryGetValue(token, out card);
}
