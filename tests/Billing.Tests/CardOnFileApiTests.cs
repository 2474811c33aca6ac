using System.Net;
using System.Text.Json;
using ProMTA.Billing.Data;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Billing.Tests;

/// <summary>GET /api/payment-methods/current on Billing's real API, reading the card from the Stripe emulator.</summary>
public sealed class CardOnFileApiTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Stripe_out_of_reach_is_a_503_with_a_reason_and_a_retry_after_not_a_500()
    {
        // Nothing listens on this port: every Stripe call fails to connect, as in a network outage.
        await using var stack = await BillingStack.StartAsync(postgres, new Dictionary<string, string?>
        {
            ["Stripe:EmulatorUrl"] = $"http://127.0.0.1:{FreePort.Next()}",
        });
        var customerId = Guid.NewGuid();
        await using (var work = await stack.Database.BeginAsync())
        {
            await BillingRepository.AddAccountAsync(work, customerId, "cus_unreachable", DateTimeOffset.UtcNow);
            await work.CommitAsync();
        }
        using var customer = stack.ClientFor(customerId);

        using var response = await customer.GetAsync("/api/payment-methods/current");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(60), response.Headers.RetryAfter?.Delta);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Payment provider unavailable", problem.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_customer_sees_brand_last4_and_expiry_of_their_own_card_and_nobody_else_does()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var customerId = Guid.NewGuid();
        using var customer = stack.ClientFor(customerId);
        // No order yet: no Stripe customer, no card.
        Assert.Equal(HttpStatusCode.NotFound, (await customer.GetAsync("/api/payment-methods/current")).StatusCode);

        var stripeCustomer = await stack.Payments.CreateCustomerAsync(customerId, "card@example.com", "Card Owner", CancellationToken.None);
        await using (var work = await stack.Database.BeginAsync())
        {
            await BillingRepository.AddAccountAsync(work, customerId, stripeCustomer, DateTimeOffset.UtcNow);
            await work.CommitAsync();
        }
        // A Stripe customer without a default card (the first charge never went through) has no card on file either.
        Assert.Equal(HttpStatusCode.NotFound, (await customer.GetAsync("/api/payment-methods/current")).StatusCode);

        await stack.Payments.AttachPaymentMethodAsync(stripeCustomer, "pm_card_visa", $"test-{customerId}", CancellationToken.None);
        var card = await stack.GetJsonAsync(customer, "/api/payment-methods/current");
        Assert.Equal(("visa", "4242"), (card.GetProperty("brand").GetString(), card.GetProperty("last4").GetString()));
        Assert.InRange(card.GetProperty("expMonth").GetInt32(), 1, 12);
        Assert.True(card.GetProperty("expYear").GetInt32() >= 2026);
        // Only what the customer may see: no number, no PaymentMethod id, no fingerprint.
        Assert.Equal(["brand", "expMonth", "expYear", "last4"], card.EnumerateObject().Select(p => p.Name).Order());

        // Replacing the card shows the new one.
        await stack.Payments.AttachPaymentMethodAsync(stripeCustomer, "pm_card_mastercard", $"test2-{customerId}", CancellationToken.None);
        var replaced = await stack.GetJsonAsync(customer, "/api/payment-methods/current");
        Assert.Equal("mastercard", replaced.GetProperty("brand").GetString());

        using var stranger = stack.ClientFor(Guid.NewGuid());
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync("/api/payment-methods/current")).StatusCode);
    }
}
