using System.Globalization;
using System.Text.Encodings.Web;

namespace StripeEmulator.Checkout;

/// <summary>
/// The HTML of the emulator's stand-in for checkout.stripe.com: a card form a person (or a browser test) fills in.
/// Every value shown is HTML-encoded; the typed card number is never echoed back.
/// </summary>
public static class HostedCheckoutPage
{
    public static string Form(CheckoutSession session, string? error, string? name) => Layout("Save your card", $"""
        <p>Your card is saved with Stripe for this and the following monthly payments. The merchant never sees the card number.</p>
        <p class="test">Test mode. Use 4242 4242 4242 4242 (succeeds), 4000 0000 0000 0002 (declined) or 4000 0025 0000 3155 (asks for authentication), any future expiry date and any CVC.</p>
        {(error is null ? "" : $"""<p class="error" role="alert" id="card-error">{Encode(error)}</p>""")}
        <form method="post" action="/c/pay/{Encode(session.Id)}" novalidate>
          <label for="cardNumber">Card number</label>
          <input id="cardNumber" name="cardNumber" inputmode="numeric" autocomplete="cc-number" required{(error is null ? "" : " aria-describedby=\"card-error\"")}>
          <div class="row">
            <div><label for="expiry">Expiry (MM / YY)</label>
            <input id="expiry" name="expiry" autocomplete="cc-exp" placeholder="MM / YY" required></div>
            <div><label for="cvc">CVC</label>
            <input id="cvc" name="cvc" inputmode="numeric" autocomplete="cc-csc" required></div>
          </div>
          <label for="cardholder">Name on card</label>
          <input id="cardholder" name="cardholder" autocomplete="cc-name" value="{Encode(name ?? "")}">
          <button type="submit">Save card</button>
        </form>
        {(session.CancelUrl is null ? "" : $"""<p><a href="{Encode(session.CancelUrl)}">Cancel and go back</a></p>""")}
        """);

    public static string Closed(string status) => Layout("This checkout is closed", $"""
        <p role="alert">This Checkout Session is {Encode(status)} and can no longer be used. Go back to the site and start again.</p>
        """);

    private static string Layout(string title, string body) => $$"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="icon" href="data:,">
        <title>{{Encode(title)}} · Stripe emulator</title>
        <style>
          body { font-family: system-ui, sans-serif; margin: 0; background: #f6f9fc; color: #1a1f36; }
          main { max-width: 28rem; margin: 2rem auto; background: #fff; padding: 1.5rem; border-radius: 8px; box-shadow: 0 1px 3px #0003; }
          label { display: block; margin-top: 1rem; font-weight: 600; }
          input { width: 100%; box-sizing: border-box; padding: .6rem; font-size: 1rem; border: 1px solid #6b7385; border-radius: 4px; }
          input:focus, button:focus, a:focus { outline: 3px solid #0a58ca; outline-offset: 2px; }
          .row { display: flex; gap: 1rem; } .row > div { flex: 1; }
          button { margin-top: 1.5rem; width: 100%; padding: .8rem; font-size: 1rem; background: #4b3fd6; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
          .test { background: #fff4d6; color: #5c3b00; padding: .6rem; border-radius: 4px; }
          .error { background: #fde7e9; color: #8a1020; padding: .6rem; border-radius: 4px; }
          a { color: #3a2fc0; }
        </style>
        </head>
        <body><main><h1>{{Encode(title)}}</h1>
        {{body}}
        </main></body></html>
        """;

    private static string Encode(string value) => HtmlEncoder.Default.Encode(value);

    /// <summary>Stripe's messages for a card form that cannot be submitted, or null when the fields are complete and valid.</summary>
    public static string? Validate(string? expiry, string? cvc, DateTimeOffset now)
    {
        var parts = (expiry ?? "").Split('/', StringSplitOptions.TrimEntries);
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var month) || month is < 1 or > 12
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var year) || parts[1].Length is not (2 or 4))
        {
            return "Your card's expiration date is incomplete.";
        }
        if (year < 100) year += 2000;
        if (year < now.Year || (year == now.Year && month < now.Month))
        {
            return "Your card's expiration year is in the past.";
        }
        var digits = cvc?.Trim() ?? "";
        return digits.Length is 3 or 4 && digits.All(char.IsAsciiDigit) ? null : "Your card's security code is incomplete.";
    }
}
