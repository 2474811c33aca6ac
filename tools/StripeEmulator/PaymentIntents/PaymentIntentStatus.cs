namespace StripeEmulator.PaymentIntents;

/// <summary>The PaymentIntent statuses the emulator moves through (no manual capture, no processing).</summary>
public static class PaymentIntentStatus
{
    public const string RequiresPaymentMethod = "requires_payment_method";
    public const string RequiresConfirmation = "requires_confirmation";
    public const string RequiresAction = "requires_action";
    public const string Succeeded = "succeeded";
    public const string Canceled = "canceled";

    public static bool IsConfirmable(string status) =>
        status is RequiresPaymentMethod or RequiresConfirmation or RequiresAction;
}
