using System.Net;
using System.Text;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.TestKit;
using StripeEmulator.Webhooks;
using Xunit;

namespace ProMTA.Billing.Tests;

/// <summary>Refunds and disputes reported by Stripe's signed webhooks (the emulator's, over HTTP) into Billing's real API and database.</summary>
public sealed class RefundAndDisputeWebhookTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_refund_made_in_Stripe_is_recorded_beside_the_invoice_once_and_the_customer_is_told()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var paid = await stack.PayFirstMonthAsync("pm_card_visa");
        using var customer = stack.ClientFor(paid.CustomerId);

        // Staff refund 50.00 in Stripe's dashboard: Stripe sends charge.refunded and refund.created.
        var refund = await new global::Stripe.RefundService(StripeClient(stack)).CreateAsync(
            new global::Stripe.RefundCreateOptions { PaymentIntent = paid.PaymentIntentId, Amount = 5000 });

        await BillingStack.EventuallyAsync(async () => (await stack.GetJsonAsync(customer, $"/api/invoices/{paid.InvoiceId}")).GetProperty("amountRefunded").GetDecimal() == 50m,
            "the invoice shows the refund");
        await BillingStack.EventuallyAsync(async () => await stack.ScalarAsync<long>("SELECT count(*) FROM stripe_events WHERE type IN ('refund.created', 'charge.refunded')") == 2,
            "both events were handled");
        var invoice = await stack.GetJsonAsync(customer, $"/api/invoices/{paid.InvoiceId}");
        Assert.Equal(("Paid", 149m), (invoice.GetProperty("status").GetString(), invoice.GetProperty("amount").GetDecimal()));
        Assert.Equal((refund.Id, "succeeded"), (await stack.ScalarAsync<string>("SELECT id FROM refunds"), await stack.ScalarAsync<string>("SELECT status FROM refunds")));
        Assert.Equal(1, await stack.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE message_type LIKE '%PaymentRefunded'"));
        var notices = (await stack.GetJsonAsync(customer, "/api/notifications")).GetProperty("items").EnumerateArray().ToList();
        var notice = Assert.Single(notices);
        Assert.Equal("refund", notice.GetProperty("kind").GetString());
        Assert.Contains("50.00 EUR", notice.GetProperty("message").GetString());

        // Another customer's invoice is not found.
        using var stranger = stack.ClientFor(Guid.NewGuid());
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/invoices/{paid.InvoiceId}")).StatusCode);
    }

    [Fact]
    public async Task Refund_events_out_of_order_and_redelivered_keep_the_newest_state_and_change_nothing_twice()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var paid = await stack.PayFirstMonthAsync("pm_card_visa");
        var at = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        // The bank returned the refund (refund.failed, later) before Stripe's refund.created (earlier) arrives.
        var failed = RefundEvent("evt_refund_failed", "refund.failed", "re_outoforder", paid.PaymentIntentId, "failed", at + 60);
        var created = RefundEvent("evt_refund_created", "refund.created", "re_outoforder", paid.PaymentIntentId, "succeeded", at);
        Assert.Equal(HttpStatusCode.OK, await stack.PostWebhookAsync(failed));
        Assert.Equal(HttpStatusCode.OK, await stack.PostWebhookAsync(created));
        Assert.Equal(HttpStatusCode.OK, await stack.PostWebhookAsync(created)); // Stripe redelivers

        Assert.Equal("failed", await stack.ScalarAsync<string>("SELECT status FROM refunds WHERE id = 're_outoforder'"));
        Assert.Equal(0L, await stack.ScalarAsync<long>("SELECT amount_refunded_minor FROM invoices"));
        Assert.Equal(0L, await stack.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE message_type LIKE '%PaymentRefunded'"));
        Assert.Equal(0L, await stack.ScalarAsync<long>("SELECT count(*) FROM notifications"));

        // A refund of a payment that is not ours is acknowledged and ignored.
        var foreign = await stack.Payments.ChargeAsync(
            await stack.Payments.CreateCustomerAsync(Guid.NewGuid(), "x@example.test", "X", CancellationToken.None), "pm_card_visa", 1000, "EUR",
            "foreign", offSession: false, new Dictionary<string, string>(), "not ours", CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, await stack.PostWebhookAsync(RefundEvent("evt_foreign", "refund.created", "re_foreign", foreign.PaymentIntentId!, "succeeded", at)));
        Assert.Equal(1L, await stack.ScalarAsync<long>("SELECT count(*) FROM refunds"));

        // Signed but malformed: 400, not a crash.
        Assert.Equal(HttpStatusCode.BadRequest, await stack.PostWebhookAsync("{\"id\":\"evt_broken\",\"object\":\"event\""));

        // Forged: 400 and nothing recorded.
        using var forged = new HttpClient { BaseAddress = stack.BillingAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/stripe") { Content = new StringContent(RefundEvent("evt_forged", "refund.created", "re_forged", paid.PaymentIntentId, "succeeded", at), Encoding.UTF8, "application/json") };
        request.Headers.Add("Stripe-Signature", WebhookSignature.Header("{}", BillingStack.WebhookSecret, at));
        Assert.Equal(HttpStatusCode.BadRequest, (await forged.SendAsync(request)).StatusCode);
        Assert.Equal(0L, await stack.ScalarAsync<long>("SELECT count(*) FROM stripe_events WHERE id = 'evt_forged'"));
    }

    [Fact]
    public async Task A_dispute_that_overtakes_the_payment_record_is_retried_flagged_for_staff_and_closed()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        // Stripe's createDispute card is disputed the moment it is charged: the webhook arrives before the invoice is
        // recorded, is answered 503, and Stripe's retry records it.
        var paid = await stack.PayFirstMonthAsync("pm_card_createDispute");
        var manager = Guid.NewGuid();
        await stack.Database.WriteAsync(work => Data.AccountManagerRepository.AssignAsync(work, paid.CustomerId, manager, DateTimeOffset.UtcNow, "manager@promta.test"));
        await BillingStack.EventuallyAsync(async () => await stack.ScalarAsync<long>("SELECT count(*) FROM disputes") == 1, "the dispute is recorded");

        using var operatorClient = stack.ClientFor(Guid.NewGuid(), Roles.Operator);
        var open = (await stack.GetJsonAsync(operatorClient, "/api/admin/disputes")).GetProperty("items").EnumerateArray().ToList();
        var dispute = Assert.Single(open);
        Assert.Equal((paid.InvoiceNumber, "fraudulent", "needs_response", 149m),
            (dispute.GetProperty("invoiceNumber").GetInt64(), dispute.GetProperty("reason").GetString(), dispute.GetProperty("status").GetString(), dispute.GetProperty("amount").GetDecimal()));
        using var ownManager = stack.ClientFor(manager, Roles.AccountManager);
        Assert.Single((await stack.GetJsonAsync(ownManager, "/api/admin/disputes")).GetProperty("items").EnumerateArray());
        using var otherManager = stack.ClientFor(Guid.NewGuid(), Roles.AccountManager);
        Assert.Empty((await stack.GetJsonAsync(otherManager, "/api/admin/disputes")).GetProperty("items").EnumerateArray());
        using var customer = stack.ClientFor(paid.CustomerId);
        Assert.Equal(HttpStatusCode.Forbidden, (await customer.GetAsync("/api/admin/disputes")).StatusCode);

        // Staff accept the dispute in Stripe: it closes as lost; the service is left running (the rules are silent).
        await new global::Stripe.DisputeService(StripeClient(stack)).CloseAsync(dispute.GetProperty("id").GetString());
        await BillingStack.EventuallyAsync(async () => await stack.ScalarAsync<string>("SELECT status FROM disputes") == "lost", "the dispute closes");
        Assert.Empty((await stack.GetJsonAsync(operatorClient, "/api/admin/disputes")).GetProperty("items").EnumerateArray());
        Assert.Single((await stack.GetJsonAsync(operatorClient, "/api/admin/disputes?open=false")).GetProperty("items").EnumerateArray());
        var kinds = (await stack.GetJsonAsync(customer, "/api/notifications")).GetProperty("items").EnumerateArray().Select(n => n.GetProperty("kind").GetString()).Order();
        Assert.Equal(["dispute-closed", "dispute-opened"], kinds);
        Assert.Equal("Active", await stack.ScalarAsync<string>("SELECT billing_status FROM billed_services"));
    }

    private static global::Stripe.StripeClient StripeClient(BillingStack stack) =>
        new("sk_test_dashboard", apiBase: stack.Emulator.BaseAddress!.ToString().TrimEnd('/'));

    private static string RefundEvent(string eventId, string type, string refundId, string paymentIntentId, string status, long created) => $$$"""
        {"id":"{{{eventId}}}","object":"event","api_version":"{{{BillingStack.StripeApiVersion}}}","created":{{{created}}},"livemode":false,"pending_webhooks":1,
         "request":{"id":null,"idempotency_key":null},"type":"{{{type}}}",
         "data":{"object":{"id":"{{{refundId}}}","object":"refund","amount":14900,"currency":"eur","created":{{{created}}},"payment_intent":"{{{paymentIntentId}}}",
                           "reason":"requested_by_customer","status":"{{{status}}}","metadata":{} } } }
        """;
}
