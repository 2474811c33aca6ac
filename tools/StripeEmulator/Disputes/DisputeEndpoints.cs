using StripeEmulator.Errors;
using StripeEmulator.Expansion;
using StripeEmulator.Http;
using StripeEmulator.Store;

namespace StripeEmulator.Disputes;

/// <summary>
/// /v1/disputes (retrieve, update with evidence, close) and the test-only trigger
/// <c>POST /_emulator/charges/{id}/dispute</c>, which opens a dispute on any successful charge the way Stripe's
/// <c>pm_card_createDispute</c> test card does on its own.
/// </summary>
public static class DisputeEndpoints
{
    private static readonly string[] Reasons =
    [
        "bank_cannot_process", "check_returned", "credit_not_processed", "customer_initiated", "debit_not_authorized", "duplicate",
        "fraudulent", "general", "incorrect_account_details", "insufficient_funds", "product_not_received", "product_unacceptable",
        "subscription_canceled", "unrecognized",
    ];

    public static IEndpointRouteBuilder MapDisputeEndpoints(this IEndpointRouteBuilder v1)
    {
        v1.MapGet("/disputes/{id}", (string id, FormParameters form, EmulatorStore store, ObjectExpander expander) =>
            StripeResults.Json(expander.Expand(DisputeJson.Render(store.Disputes.Get(id)), form)));
        v1.MapPost("/disputes/{id}", (string id, FormParameters form, StripeRequestContext request, EmulatorStore store, DisputeLifecycle disputes, ObjectExpander expander) =>
        {
            var updated = store.Atomically(() => disputes.SubmitEvidence(store.Disputes.Get(id), form.Get("evidence[uncategorized_text]"), form.GetBool("submit") ?? true, request));
            return StripeResults.Json(expander.Expand(DisputeJson.Render(updated), form));
        });
        v1.MapPost("/disputes/{id}/close", (string id, FormParameters form, StripeRequestContext request, EmulatorStore store, DisputeLifecycle disputes, ObjectExpander expander) =>
        {
            var closed = store.Atomically(() => disputes.Accept(store.Disputes.Get(id), request));
            return StripeResults.Json(expander.Expand(DisputeJson.Render(closed), form));
        });
        return v1;
    }

    public static IEndpointRouteBuilder MapDisputeTrigger(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/_emulator/charges/{id}/dispute", (string id, string? reason, HttpContext context, EmulatorStore store, DisputeLifecycle disputes) =>
        {
            if (reason is not null && !Reasons.Contains(reason))
            {
                throw StripeErrors.InvalidRequest($"Invalid reason: must be one of {string.Join(", ", Reasons)}", "reason");
            }

            var request = StripeRequestContext.From(context);
            var dispute = store.Atomically(() =>
                disputes.Open(store.Charges.Get(id), reason ?? "fraudulent", request));
            return StripeResults.Json(DisputeJson.Render(dispute));
        });
        return routes;
    }
}
