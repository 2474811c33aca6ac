using System.Text.Json.Nodes;
using StripeEmulator.Charges;
using StripeEmulator.Customers;
using StripeEmulator.Http;
using StripeEmulator.PaymentIntents;
using StripeEmulator.PaymentMethods;
using StripeEmulator.Refunds;
using StripeEmulator.SetupIntents;
using StripeEmulator.Store;

namespace StripeEmulator.Expansion;

/// <summary>
/// Stripe's <c>expand[]</c>: replaces an id field with the object it names, following dotted
/// paths (<c>latest_charge.customer</c>). Billing expands latest_charge to read card details,
/// so this keeps that call a single round trip here as on Stripe. Unknown paths are ignored.
/// </summary>
public sealed class ObjectExpander(EmulatorStore store)
{
    public JsonObject Expand(JsonObject json, FormParameters form)
    {
        foreach (var path in form.GetList("expand"))
        {
            ExpandPath(json, path.Split('.'));
        }

        return json;
    }

    private void ExpandPath(JsonObject json, ReadOnlySpan<string> path)
    {
        var field = path[0];
        if (json[field] is JsonValue value && value.TryGetValue<string>(out var id) && Render(id) is { } expanded)
        {
            json[field] = expanded;
        }

        if (path.Length > 1 && json[field] is JsonObject child)
        {
            ExpandPath(child, path[1..]);
        }
    }

    private JsonObject? Render(string id) => id switch
    {
        _ when id.StartsWith("cus_", StringComparison.Ordinal) => store.Customers.Find(id) is { } c ? CustomerJson.Render(c) : null,
        _ when id.StartsWith("pm_", StringComparison.Ordinal) => store.PaymentMethods.Find(id) is { } pm ? PaymentMethodJson.Render(pm) : null,
        _ when id.StartsWith("pi_", StringComparison.Ordinal) => store.PaymentIntents.Find(id) is { } pi ? PaymentIntentJson.Render(pi) : null,
        _ when id.StartsWith("ch_", StringComparison.Ordinal) => store.Charges.Find(id) is { } ch ? ChargeJson.Render(ch) : null,
        _ when id.StartsWith("re_", StringComparison.Ordinal) => store.Refunds.Find(id) is { } re ? RefundJson.Render(re) : null,
        _ when id.StartsWith("seti_", StringComparison.Ordinal) => store.SetupIntents.Find(id) is { } seti ? SetupIntentJson.Render(seti) : null,
        _ => null,
    };
}
