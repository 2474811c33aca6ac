using StripeEmulator.Http;

namespace StripeEmulator.PaymentIntents;

/// <summary>The confirmation parameters that change what a card does (see PaymentIntentConfirmation).</summary>
public sealed record ConfirmationRequest(bool OffSession, bool ErrorOnRequiresAction, string? ReturnUrl)
{
    public static ConfirmationRequest From(FormParameters form, bool offSession) =>
        new(offSession, form.GetBool("error_on_requires_action") ?? false, form.Get("return_url"));
}
