using System.Text.Json.Nodes;
using System.Globalization;
using StripeEmulator.Charges;
using StripeEmulator.Errors;
using StripeEmulator.Expansion;
using StripeEmulator.Http;
using StripeEmulator.PaymentIntents;
using StripeEmulator.Store;
using StripeEmulator.Webhooks;

namespace StripeEmulator.Refunds;

/// <summary>/v1/refunds: full or partial refunds of a PaymentIntent's (or a charge's) successful charge.</summary>
public static class RefundEndpoints
{
    public static IEndpointRouteBuilder MapRefundEndpoints(this IEndpointRouteBuilder v1)
    {
        v1.MapPost("/refunds", Create);
        v1.MapGet("/refunds", List);
        v1.MapGet("/refunds/{id}", (string id, FormParameters form, EmulatorStore store, ObjectExpander expander) =>
        {
            var refund = store.Refunds.Get(id);
            return StripeResults.Json(expander.Expand(RefundJson.Render(refund), form));
        });
        return v1;
    }

    private static IResult Create(
        FormParameters form,
        StripeRequestContext request,
        EmulatorStore store,
        WebhookPublisher webhooks,
        ObjectExpander expander,
        TimeProvider clock)
    {
        var reason = form.Get("reason");
        if (reason is not null and not ("duplicate" or "fraudulent" or "requested_by_customer"))
        {
            throw StripeErrors.InvalidRequest("Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer", "reason");
        }

        var refund = store.Atomically(() =>
        {
            var charge = FindRefundableCharge(form, store);
            if (charge.Disputed)
            {
                throw StripeErrors.InvalidRequest($"Charge {charge.Id} has been charged back; cannot issue a refund.", code: "charge_disputed");
            }

            var remaining = charge.Amount - charge.AmountRefunded;
            if (remaining <= 0)
            {
                throw StripeErrors.InvalidRequest($"Charge {charge.Id} has already been refunded.", code: "charge_already_refunded");
            }

            var amount = form.GetLong("amount") ?? remaining;
            if (amount < 1)
            {
                throw StripeErrors.InvalidRequest("This value must be greater than or equal to 1.", "amount");
            }

            if (amount > remaining)
            {
                throw StripeErrors.InvalidRequest(
                    $"Refund amount ({Money(amount, charge.Currency)}) is greater than unrefunded amount on charge ({Money(remaining, charge.Currency)})", "amount");
            }

            var created = store.Refunds.Save(new Refund
            {
                Id = StripeIds.New("re"),
                Created = clock.GetUtcNow().ToUnixTimeSeconds(),
                Amount = amount,
                Currency = charge.Currency,
                ChargeId = charge.Id,
                PaymentIntentId = charge.PaymentIntentId,
                Reason = reason,
                Metadata = Metadata.ForCreate(form),
                BalanceTransactionId = StripeIds.New("txn"),
            });

            var refunded = store.Charges.Save(charge with { AmountRefunded = charge.AmountRefunded + amount });
            if (store.Ledger.FindByCharge(charge.Id) is { } entry)
            {
                store.Ledger.Update(entry.Sequence, e => e with { AmountRefunded = refunded.AmountRefunded });
            }

            // Stripe sends both: the charge's new refunded total, and the refund itself.
            webhooks.Publish("charge.refunded", ChargeJson.Render(refunded), request);
            webhooks.Publish("refund.created", RefundJson.Render(created), request);
            return created;
        });

        return StripeResults.Json(expander.Expand(RefundJson.Render(refund), form));
    }

    /// <summary>GET /v1/refunds?charge=|payment_intent=, newest first, paged with limit and starting_after like every Stripe list.</summary>
    private static IResult List(FormParameters form, EmulatorStore store)
    {
        var limit = form.GetLong("limit") ?? 10;
        if (limit is < 1 or > 100)
        {
            throw StripeErrors.InvalidRequest("This value must be greater than or equal to 1 and less than or equal to 100.", "limit");
        }

        var charge = form.Get("charge");
        var intent = form.Get("payment_intent");
        var matching = store.Refunds.Where(r => (charge is null || r.ChargeId == charge) && (intent is null || r.PaymentIntentId == intent))
            .OrderByDescending(r => r.Created).ThenByDescending(r => r.Id, StringComparer.Ordinal).ToList();
        if (form.Get("starting_after") is { Length: > 0 } after)
        {
            var index = matching.FindIndex(r => r.Id == after);
            matching = index < 0 ? throw StripeErrors.ResourceMissing("refund", after, "starting_after") : matching[(index + 1)..];
        }

        var page = matching.Take((int)limit).ToList();
        return StripeResults.Json(new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray([.. page.Select(r => (JsonNode)RefundJson.Render(r))]),
            ["has_more"] = matching.Count > page.Count,
            ["url"] = "/v1/refunds",
        });
    }

    private static Charge FindRefundableCharge(FormParameters form, EmulatorStore store)
    {
        if (form.Get("charge") is { Length: > 0 } chargeId)
        {
            var charge = store.Charges.Get(chargeId, "charge");
            return charge.Succeeded
                ? charge
                : throw StripeErrors.InvalidRequest($"Charge {charge.Id} has not succeeded and cannot be refunded.", "charge");
        }

        if (form.Get("payment_intent") is { Length: > 0 } intentId)
        {
            var intent = store.PaymentIntents.Get(intentId, "payment_intent");
            var charge = intent is { Status: PaymentIntentStatus.Succeeded, LatestChargeId: { } latest } ? store.Charges.Find(latest) : null;
            return charge ?? throw StripeErrors.InvalidRequest(
                $"This PaymentIntent ({intent.Id}) does not have a successful charge to refund.", "payment_intent", "charge_not_refundable");
        }

        throw StripeErrors.InvalidRequest("One of the following params should be provided for this request: payment_intent or charge.");
    }

    private static string Money(long minorUnits, string currency) =>
        string.Create(CultureInfo.InvariantCulture, $"{minorUnits / 100m:0.00} {currency.ToUpperInvariant()}");
}
