using StripeEmulator.Expansion;
using StripeEmulator.Http;
using StripeEmulator.Store;

namespace StripeEmulator.SetupIntents;

/// <summary>/v1/setup_intents: retrieve (the ones Checkout creates in setup mode).</summary>
public static class SetupIntentEndpoints
{
    public static IEndpointRouteBuilder MapSetupIntentEndpoints(this IEndpointRouteBuilder v1)
    {
        v1.MapGet("/setup_intents/{id}", Retrieve);
        return v1;
    }

    private static IResult Retrieve(string id, FormParameters form, EmulatorStore store, ObjectExpander expander)
    {
        var intent = store.SetupIntents.Get(id);
        return StripeResults.Json(expander.Expand(SetupIntentJson.Render(intent), form));
    }
}
