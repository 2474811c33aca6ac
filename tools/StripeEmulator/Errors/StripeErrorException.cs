namespace StripeEmulator.Errors;

/// <summary>
/// Thrown by operations to end a request with a Stripe error. Validation throws before any
/// state changes, so no rollback is needed; card declines return their error only after the
/// failed attempt has been recorded, exactly as Stripe keeps the declined PaymentIntent.
/// </summary>
public sealed class StripeErrorException(int statusCode, StripeError error) : Exception(error.Message)
{
    public int StatusCode { get; } = statusCode;

    public StripeError Error { get; } = error;
}
