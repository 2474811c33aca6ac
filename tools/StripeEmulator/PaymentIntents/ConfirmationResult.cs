using StripeEmulator.Errors;

namespace StripeEmulator.PaymentIntents;

/// <summary>
/// The PaymentIntent after a confirmation, and the error to answer with when the card was
/// declined. The decline is returned rather than thrown so the failed attempt is saved first.
/// </summary>
public sealed record ConfirmationResult(PaymentIntent Intent, StripeErrorException? Error = null)
{
    public PaymentIntent IntentOrThrow() => Error is null ? Intent : throw Error;
}
