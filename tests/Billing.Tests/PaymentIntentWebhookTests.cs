using System.Net;
using System.Text;
using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.TestKit;
using StripeEmulator.Webhooks;
using Xunit;

namespace ProMTA.Billing.Tests;

/// <summary>payment_intent.payment_failed / requires_action / succeeded from the emulator's signed webhooks, on an invoice waiting for 3D Secure.</summary>
public sealed class PaymentIntentWebhookTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_failed_authentication_keeps_the_invoice_open_tells_the_customer_and_a_late_requires_action_changes_nothing()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var waiting = await SeedWaitingForAuthenticationAsync(stack);
        using var customer = stack.ClientFor(waiting.CustomerId);

        // The customer fails the bank's challenge on the pay link: Stripe sends payment_intent.payment_failed.
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var failed = await browser.GetAsync(waiting.PayUrl + "?outcome=fail");
        await BillingStack.EventuallyAsync(async () => await stack.ScalarAsync<string?>("SELECT pay_url FROM invoices") is null, "the dead pay link is gone");

        var invoice = await stack.GetJsonAsync(customer, $"/api/invoices/{waiting.InvoiceId}");
        Assert.Equal("Open", invoice.GetProperty("status").GetString());
        Assert.Contains("failed authentication", invoice.GetProperty("failureReason").GetString());
        var notice = Assert.Single((await stack.GetJsonAsync(customer, "/api/notifications")).GetProperty("items").EnumerateArray());
        Assert.Equal("payment-failed", notice.GetProperty("kind").GetString());
        Assert.Equal(1L, await stack.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE message_type LIKE '%PaymentFailed'"));

        // A requires_action created before the failure, delivered late, does not bring the link back.
        var late = IntentEvent("evt_late_requires_action", "payment_intent.requires_action", waiting.PaymentIntentId, "requires_action",
            DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), waiting.PayUrl);
        Assert.Equal(HttpStatusCode.OK, await stack.PostWebhookAsync(late));
        Assert.Null(await stack.ScalarAsync<string?>("SELECT pay_url FROM invoices"));
        Assert.Single((await stack.GetJsonAsync(customer, "/api/notifications")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_completed_authentication_pays_the_invoice_once_even_when_succeeded_is_delivered_twice()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var waiting = await SeedWaitingForAuthenticationAsync(stack);

        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var authenticated = await browser.GetAsync(waiting.PayUrl);
        await BillingStack.EventuallyAsync(async () => await stack.ScalarAsync<string>("SELECT status FROM invoices") == "Paid", "the invoice is paid");
        var succeeded = IntentEvent("evt_redelivered_succeeded", "payment_intent.succeeded", waiting.PaymentIntentId, "succeeded",
            DateTimeOffset.UtcNow.ToUnixTimeSeconds(), null);
        Assert.Equal(HttpStatusCode.OK, await stack.PostWebhookAsync(succeeded));
        Assert.Equal(HttpStatusCode.OK, await stack.PostWebhookAsync(succeeded));

        Assert.Equal(1L, await stack.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE message_type LIKE '%PaymentSucceeded'"));
        Assert.Equal("Active", await stack.ScalarAsync<string>("SELECT billing_status FROM billed_services"));
    }

    private sealed record Waiting(Guid CustomerId, Guid InvoiceId, string PaymentIntentId, string PayUrl);

    /// <summary>What the first charge of an order with a 3D Secure card leaves behind (see OrderPlacedConsumer).</summary>
    private static async Task<Waiting> SeedWaitingForAuthenticationAsync(BillingStack stack)
    {
        var customerId = Guid.NewGuid();
        var serviceId = Guid.NewGuid();
        var orderedOn = DateOnly.FromDateTime(DateTime.UtcNow);
        var stripeCustomer = await stack.Payments.CreateCustomerAsync(customerId, "sca@example.test", "SCA", CancellationToken.None);
        var card = await stack.Payments.AttachPaymentMethodAsync(stripeCustomer, "pm_card_authenticationRequired", serviceId.ToString(), CancellationToken.None);
        var charge = await stack.Payments.ChargeAsync(stripeCustomer, card, 14900, "EUR", $"order-{serviceId}-period-0", offSession: false,
            new Dictionary<string, string> { ["service_id"] = serviceId.ToString(), ["period"] = "0" }, "first month", CancellationToken.None,
            returnUrl: "http://localhost:8080/orders/x");
        Assert.NotNull(charge.PayUrl);

        var invoiceId = Guid.CreateVersion7();
        await using var work = await stack.Database.BeginAsync();
        await BillingRepository.AddAccountAsync(work, customerId, stripeCustomer, DateTimeOffset.UtcNow);
        await BillingRepository.AddServiceAsync(work, new BilledService(serviceId, Guid.NewGuid(), customerId, "promta-starter", 14900, "EUR", 1,
            orderedOn, orderedOn.Day, card, DateTimeOffset.UtcNow));
        await BillingRepository.IssueInvoiceAsync(work, new NewInvoice(invoiceId, serviceId, customerId, 0, orderedOn,
            BillingCalendar.PeriodEnd(orderedOn, 0), 14900, "EUR", DateTimeOffset.UtcNow));
        await BillingRepository.MarkFailedAsync(work, invoiceId, charge.PaymentIntentId, charge.FailureReason!, charge.PayUrl);
        await work.CommitAsync();
        return new Waiting(customerId, invoiceId, charge.PaymentIntentId!, charge.PayUrl!);
    }

    private static string IntentEvent(string eventId, string type, string intentId, string status, long created, string? payUrl) => $$$"""
        {"id":"{{{eventId}}}","object":"event","api_version":"{{{BillingStack.StripeApiVersion}}}","created":{{{created}}},"livemode":false,
         "pending_webhooks":1,"request":{"id":null,"idempotency_key":null},"type":"{{{type}}}",
         "data":{"object":{"id":"{{{intentId}}}","object":"payment_intent","amount":14900,"currency":"eur","status":"{{{status}}}","metadata":{},
           "next_action":{{{(payUrl is null ? "null" : $$"""{"type":"redirect_to_url","redirect_to_url":{"url":"{{payUrl}}","return_url":"http://localhost:8080"} }""")}}} } } }
        """;
}
