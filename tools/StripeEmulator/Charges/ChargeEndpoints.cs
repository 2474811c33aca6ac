using StripeEmulator.Expansion;
using StripeEmulator.Http;
using StripeEmulator.Store;

namespace StripeEmulator.Charges;

/// <summary>GET /v1/charges/{id}, so a PaymentIntent's latest_charge can be looked up.</summary>
public static class ChargeEndpoints
{
    public static IEndpointRouteBuilder MapChargeEndpoints(this IEndpointRouteBuilder v1)
    {
        v1.MapGet("/charges/{id}", (string id, FormParameters form, EmulatorStore store, ObjectExpander expander) =>
        {
            var charge = store.Charges.Get(id);
            return StripeResults.Json(expander.Expand(ChargeJson.Render(charge), form));
        });
        return v1;
    }
}
