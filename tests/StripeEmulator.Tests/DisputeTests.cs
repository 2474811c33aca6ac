using Stripe;

namespace StripeEmulator.Tests;

public sealed class DisputeTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    private readonly StripeScenario _stripe = new(emulator.Client);
    private readonly DisputeService _disputes = new(emulator.Client);

    [Fact]
    public async Task The_create_dispute_card_pays_then_is_disputed_and_winning_evidence_wins()
    {
        var (customer, card) = await _stripe.CustomerWithCardAsync("pm_card_createDispute");
        var paid = await _stripe.PaymentIntents.CreateAsync(StripeScenario.MonthlyCharge(customer, card));
        Assert.Equal("succeeded", paid.Status);

        var created = await VerifiedEventAsync("charge.dispute.created", paid.Id);
        var dispute = Assert.IsType<Dispute>(created.Data.Object);
        Assert.StartsWith("dp_", dispute.Id);
        Assert.Equal((paid.LatestChargeId, paid.Id, "fraudulent", "needs_response", paid.Amount),
            (dispute.ChargeId, dispute.PaymentIntentId, dispute.Reason, dispute.Status, dispute.Amount));
        await VerifiedEventAsync("charge.dispute.funds_withdrawn", paid.Id);
        Assert.True((await new ChargeService(emulator.Client).GetAsync(paid.LatestChargeId)).Disputed);

        var refused = await Assert.ThrowsAsync<StripeException>(() => _stripe.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = paid.Id }));
        Assert.Equal("charge_disputed", refused.StripeError.Code);

        var won = await _disputes.UpdateAsync(dispute.Id, new DisputeUpdateOptions { Evidence = new() { UncategorizedText = "winning_evidence" } });
        Assert.Equal("won", won.Status);
        var closed = Assert.IsType<Dispute>((await VerifiedEventAsync("charge.dispute.closed", paid.Id)).Data.Object);
        Assert.Equal("won", closed.Status);
        await VerifiedEventAsync("charge.dispute.funds_reinstated", paid.Id);
        Assert.Equal("won", (await _disputes.GetAsync(dispute.Id)).Status);
    }

    [Fact]
    public async Task A_dispute_triggered_on_any_charge_is_lost_when_closed_and_cannot_be_closed_twice()
    {
        var (customer, card) = await _stripe.CustomerWithCardAsync("pm_card_visa");
        var paid = await _stripe.PaymentIntents.CreateAsync(StripeScenario.MonthlyCharge(customer, card));

        using var trigger = await emulator.Http.PostAsync($"/_emulator/charges/{paid.LatestChargeId}/dispute?reason=product_not_received", null);
        trigger.EnsureSuccessStatusCode();
        var dispute = Assert.IsType<Dispute>((await VerifiedEventAsync("charge.dispute.created", paid.Id)).Data.Object);
        Assert.Equal("product_not_received", dispute.Reason);

        using var again = await emulator.Http.PostAsync($"/_emulator/charges/{paid.LatestChargeId}/dispute", null);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, again.StatusCode);
        using var badReason = await emulator.Http.PostAsync($"/_emulator/charges/{paid.LatestChargeId}/dispute?reason=bored", null);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, badReason.StatusCode);

        var lost = await _disputes.CloseAsync(dispute.Id);
        Assert.Equal("lost", lost.Status);
        Assert.Equal("lost", Assert.IsType<Dispute>((await VerifiedEventAsync("charge.dispute.closed", paid.Id)).Data.Object).Status);
        var closedTwice = await Assert.ThrowsAsync<StripeException>(() => _disputes.CloseAsync(dispute.Id));
        Assert.Equal("dispute_already_closed", closedTwice.StripeError.Code);
    }

    [Fact]
    public async Task A_refund_is_sent_as_charge_refunded_and_refund_created()
    {
        var (customer, card) = await _stripe.CustomerWithCardAsync("pm_card_visa");
        var paid = await _stripe.PaymentIntents.CreateAsync(StripeScenario.MonthlyCharge(customer, card, amount: 5000));
        var refund = await _stripe.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = paid.Id, Amount = 2000, Reason = "requested_by_customer" });

        var created = Assert.IsType<Refund>((await VerifiedEventAsync("refund.created", refund.Id)).Data.Object);
        Assert.Equal((refund.Id, 2000L, paid.Id, "succeeded", "requested_by_customer"), (created.Id, created.Amount, created.PaymentIntentId, created.Status, created.Reason));
        var charge = Assert.IsType<Charge>((await VerifiedEventAsync("charge.refunded", paid.LatestChargeId)).Data.Object);
        Assert.Equal((2000L, false), (charge.AmountRefunded, charge.Refunded));
    }

    [Fact]
    public async Task Refunds_of_a_charge_are_listed_newest_first_and_paged()
    {
        var (customer, card) = await _stripe.CustomerWithCardAsync("pm_card_visa");
        var paid = await _stripe.PaymentIntents.CreateAsync(StripeScenario.MonthlyCharge(customer, card, amount: 3000));
        var made = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            made.Add((await _stripe.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = paid.Id, Amount = 1000 })).Id);
        }

        var firstPage = await _stripe.Refunds.ListAsync(new RefundListOptions { Charge = paid.LatestChargeId, Limit = 2 });
        Assert.Equal(2, firstPage.Data.Count);
        Assert.True(firstPage.HasMore);
        var all = new List<string>();
        await foreach (var refund in _stripe.Refunds.ListAutoPagingAsync(new RefundListOptions { PaymentIntent = paid.Id, Limit = 2 }))
        {
            all.Add(refund.Id);
        }

        Assert.Equal(made.Order(), all.Order());
        Assert.Empty((await _stripe.Refunds.ListAsync(new RefundListOptions { Charge = "ch_unknown" })).Data);
    }

    private async Task<Event> VerifiedEventAsync(string type, string objectId)
    {
        var delivery = await emulator.Webhooks.WaitForAsync(webhook =>
            webhook.Body.Contains($"\"type\":\"{type}\"") && webhook.Body.Contains($"\"{objectId}\""));
        return EventUtility.ConstructEvent(delivery.Body, delivery.Signature, EmulatorFixture.WebhookSecret);
    }
}
