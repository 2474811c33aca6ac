using StripeEmulator.PaymentMethods;

namespace StripeEmulator.Checkout;

/// <summary>
/// The card numbers Stripe documents for test mode (https://docs.stripe.com/testing), each mapped to the test
/// PaymentMethod token that behaves the same way. Any other number is refused the way Stripe's test mode refuses a
/// real card: the emulator never accepts, stores or logs a real card number.
/// </summary>
public static class TestCardNumbers
{
    private static readonly Dictionary<string, string> TokenByNumber = new(StringComparer.Ordinal)
    {
        ["4242424242424242"] = "pm_card_visa",
        ["5555555555554444"] = "pm_card_mastercard",
        ["4000000000000002"] = "pm_card_chargeDeclined",
        ["4000000000009995"] = "pm_card_chargeDeclinedInsufficientFunds",
        ["4000000000000069"] = "pm_card_chargeDeclinedExpiredCard",
        ["4000002500003155"] = "pm_card_authenticationRequired",
        ["4000002760003184"] = "pm_card_authenticationRequired",
    };

    /// <summary>The test token for a typed number (spaces and dashes ignored), or null when it is not a test card.</summary>
    public static TestCard? Find(string? typed)
    {
        var digits = new string((typed ?? "").Where(c => c is not (' ' or '-')).ToArray());
        return TokenByNumber.TryGetValue(digits, out var token) && TestCards.TryGet(token, out var card) ? card : null;
    }
}
