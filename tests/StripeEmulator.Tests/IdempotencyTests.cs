using System.Net;
using Stripe;

namespace StripeEmulator.Tests;

public sealed class IdempotencyTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    private readonly StripeScenario _stripe = new(emulator.Client);

    [Fact]
    public async Task Same_key_twice_returns_the_same_payment_intent_and_charges_once()
    {
        var (customer, card) = await _stripe.CustomerWithCardAsync("pm_card_visa");
        var options = StripeScenario.MonthlyCharge(customer, card);
        var key = new RequestOptions { IdempotencyKey = $"invoice-{Guid.NewGuid()}" };

        var first = await _stripe.PaymentIntents.CreateAsync(options, key);
        var second = await _stripe.PaymentIntents.CreateAsync(options, key);

        Assert.Equal(first.Id, second.Id);
        Assert.Equal(first.LatestChargeId, second.LatestChargeId);
        Assert.Equal("true", second.StripeResponse.Headers.GetValues("Idempotent-Replayed").Single());
        var charge = Assert.Single(await emulator.LedgerAsync(), entry => entry.GetProperty("idempotency_key").GetString() == key.IdempotencyKey);
        Assert.Equal(first.Id, charge.GetProperty("payment_intent").GetString());
    }

    [Fact]
    public async Task Concurrent_identical_requests_create_one_payment_intent()
    {
        var (customer, card) = await _stripe.CustomerWithCardAsync("pm_card_visa");
        var options = StripeScenario.MonthlyCharge(customer, card);
        var key = new RequestOptions { IdempotencyKey = $"invoice-{Guid.NewGuid()}" };

        var intents = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _stripe.PaymentIntents.CreateAsync(options, key)));

        Assert.Single(intents.Select(intent => intent.Id).Distinct());
        Assert.Single(await emulator.LedgerAsync(), entry => entry.GetProperty("idempotency_key").GetString() == key.IdempotencyKey);
    }

    [Fact]
    public async Task A_declined_charge_is_replayed_as_the_same_decline_without_a_second_attempt()
    {
        var (customer, card) = await _stripe.CustomerWithCardAsync("pm_card_chargeDeclined");
        var options = StripeScenario.MonthlyCharge(customer, card);
        var key = new RequestOptions { IdempotencyKey = $"invoice-{Guid.NewGuid()}" };

        var first = await Assert.ThrowsAsync<StripeException>(() => _stripe.PaymentIntents.CreateAsync(options, key));
        var second = await Assert.ThrowsAsync<StripeException>(() => _stripe.PaymentIntents.CreateAsync(options, key));

        Assert.Equal(first.StripeError.PaymentIntent.Id, second.StripeError.PaymentIntent.Id);
        Assert.Equal("card_declined", second.StripeError.Code);
        Assert.Single(await emulator.LedgerForAsync(first.StripeError.PaymentIntent.Id));
    }

    [Fact]
    public async Task Same_key_with_a_different_amount_is_an_idempotency_error()
    {
        var (customer, card) = await _stripe.CustomerWithCardAsync("pm_card_visa");
        var key = new RequestOptions { IdempotencyKey = $"invoice-{Guid.NewGuid()}" };
        var first = await _stripe.PaymentIntents.CreateAsync(StripeScenario.MonthlyCharge(customer, card, amount: 4900), key);

        var error = await Assert.ThrowsAsync<StripeException>(() =>
            _stripe.PaymentIntents.CreateAsync(StripeScenario.MonthlyCharge(customer, card, amount: 9900), key));

        Assert.Equal(HttpStatusCode.BadRequest, error.HttpStatusCode);
        Assert.Equal("idempotency_error", error.StripeError.Type);
        Assert.Single(await emulator.LedgerForAsync(first.Id));
    }
}
