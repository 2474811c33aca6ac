using System.Text.Json.Nodes;
using StripeEmulator.PaymentIntents;
using StripeEmulator.PaymentMethods;

namespace StripeEmulator.Errors;

/// <summary>
/// Stripe's error object. It is both the body of failed API calls and the
/// <c>last_payment_error</c> kept on a PaymentIntent, so it stays an immutable value.
/// </summary>
public sealed record StripeError(string Type, string Message)
{
    public string? Code { get; init; }
    public string? DeclineCode { get; init; }
    public string? Param { get; init; }
    public string? ChargeId { get; init; }
    public PaymentMethod? PaymentMethod { get; init; }
    public PaymentIntent? PaymentIntent { get; init; }

    public JsonObject ToJson()
    {
        var json = new JsonObject();
        if (ChargeId is not null)
        {
            json["charge"] = ChargeId;
        }

        if (Code is not null)
        {
            json["code"] = Code;
            json["doc_url"] = $"https://stripe.com/docs/error-codes/{Code.Replace('_', '-')}";
        }

        if (DeclineCode is not null)
        {
            json["decline_code"] = DeclineCode;
        }

        json["message"] = Message;
        if (Param is not null)
        {
            json["param"] = Param;
        }

        if (PaymentIntent is not null)
        {
            json["payment_intent"] = PaymentIntentJson.Render(PaymentIntent);
        }

        if (PaymentMethod is not null)
        {
            json["payment_method"] = PaymentMethodJson.Render(PaymentMethod);
        }

        json["type"] = Type;
        return json;
    }

    public JsonObject ToEnvelope() => new() { ["error"] = ToJson() };
}
