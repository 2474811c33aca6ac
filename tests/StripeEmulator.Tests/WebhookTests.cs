using Stripe;

namespace StripeEmulator.Tests;

public sealed class WebhookTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    private readonly StripeScenario _stripe = new(emulator.Client);

    [Fact]
    public async Task Payment_succeeded_event_verifies_with_stripe_net()
    {
        var (customer, card) = await _stripe.CustomerWithCardAsync("pm_card_visa");
        var intent = await _stripe.PaymentIntents.CreateAsync(StripeScenario.MonthlyCharge(customer, card));

        var delivery = await emulator.Webhooks.WaitForAsync(webhook =>
            webhook.Body.Contains("\"payment_intent.succeeded\"") && webhook.Body.Contains(intent.Id));
        var stripeEvent = EventUtility.ConstructEvent(delivery.Body, delivery.Signature, EmulatorFixture.WebhookSecret);

        Assert.Equal("payment_intent.succeeded", stripeEvent.Type);
        Assert.StartsWith("evt_", stripeEvent.Id);
        Assert.Equal(StripeConfiguration.ApiVersion, stripeEvent.ApiVersion);
        Assert.False(stripeEvent.Livemode);
        var eventIntent = Assert.IsType<PaymentIntent>(stripeEvent.Data.Object);
        Assert.Equal(intent.Id, eventIntent.Id);
        Assert.Equal("succeeded", eventIntent.Status);
    }

    [Fact]
    public async Task Failures_requires_action_and_refunds_are_sent_as_events()
    {
        var (declinedCustomer, declinedCard) = await _stripe.CustomerWithCardAsync("pm_card_chargeDeclined");
        var declined = await Assert.ThrowsAsync<StripeException>(() =>
            _stripe.PaymentIntents.CreateAsync(StripeScenario.MonthlyCharge(declinedCustomer, declinedCard)));
        var (secureCustomer, secureCard) = await _stripe.CustomerWithCardAsync("pm_card_authenticationRequired");
        var waiting = await _stripe.PaymentIntents.CreateAsync(StripeScenario.MonthlyCharge(secureCustomer, secureCard, offSession: false));
        var (customer, card) = await _stripe.CustomerWithCardAsync("pm_card_visa");
        var paid = await _stripe.PaymentIntents.CreateAsync(StripeScenario.MonthlyCharge(customer, card));
        await _stripe.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = paid.Id });

        var failedEvent = await VerifiedEventAsync("payment_intent.payment_failed", declined.StripeError.PaymentIntent.Id);
        var actionEvent = await VerifiedEventAsync("payment_intent.requires_action", waiting.Id);
        var refundEvent = await VerifiedEventAsync("charge.refunded", paid.LatestChargeId);

        Assert.Equal("card_declined", Assert.IsType<PaymentIntent>(failedEvent.Data.Object).LastPaymentError.Code);
        Assert.Equal("requires_action", Assert.IsType<PaymentIntent>(actionEvent.Data.Object).Status);
        var refundedCharge = Assert.IsType<Charge>(refundEvent.Data.Object);
        Assert.True(refundedCharge.Refunded);
        Assert.Equal(paid.Amount, refundedCharge.AmountRefunded);
    }

    [Fact]
    public async Task A_tampered_payload_fails_verification()
    {
        var (customer, card) = await _stripe.CustomerWithCardAsync("pm_card_visa");
        var intent = await _stripe.PaymentIntents.CreateAsync(StripeScenario.MonthlyCharge(customer, card));
        var delivery = await emulator.Webhooks.WaitForAsync(webhook => webhook.Body.Contains(intent.Id));

        Assert.Throws<StripeException>(() =>
            EventUtility.ConstructEvent(delivery.Body.Replace("4900", "1"), delivery.Signature, EmulatorFixture.WebhookSecret));
        Assert.Throws<StripeException>(() =>
            EventUtility.ConstructEvent(delivery.Body, delivery.Signature, "whsec_wrong"));
    }

    [Fact]
    public async Task Failed_deliveries_are_retried_in_the_background_and_re_signed()
    {
        var flaky = new EmulatorFixture(new WebhookListener(failuresBeforeSuccess: 2));
        await flaky.InitializeAsync();
        try
        {
            var stripe = new StripeScenario(flaky.Client);
            var (customer, card) = await stripe.CustomerWithCardAsync("pm_card_visa");

            // The API answers although the receiver is failing: delivery happens in the background.
            var intent = await stripe.PaymentIntents.CreateAsync(StripeScenario.MonthlyCharge(customer, card));
            Assert.Equal("succeeded", intent.Status);

            var delivery = await flaky.Webhooks.WaitForAsync(webhook => webhook.Body.Contains(intent.Id));
            var stripeEvent = EventUtility.ConstructEvent(delivery.Body, delivery.Signature, EmulatorFixture.WebhookSecret);
            Assert.Equal("payment_intent.succeeded", stripeEvent.Type);
            Assert.True(flaky.Webhooks.Attempts >= 3);
        }
        finally
        {
            await flaky.DisposeAsync();
        }
    }

    private async Task<Event> VerifiedEventAsync(string type, string objectId)
    {
        var delivery = await emulator.Webhooks.WaitForAsync(webhook =>
            webhook.Body.Contains($"\"type\":\"{type}\"") && webhook.Body.Contains($"\"id\":\"{objectId}\""));
        return EventUtility.ConstructEvent(delivery.Body, delivery.Signature, EmulatorFixture.WebhookSecret);
    }
}
