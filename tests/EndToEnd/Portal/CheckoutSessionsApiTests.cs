using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace ProMTA.EndToEnd.Portal;

/// <summary>The Billing routes behind the portal's card entry, through the gateway.</summary>
[Collection(PlatformCollection.Name)]
public sealed class CheckoutSessionsApiTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_checkout_session_returns_to_the_portal_and_reports_no_card_until_one_is_saved()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);

        using var created = await customer.PostAsync("/api/checkout-sessions", new { successUrl = "/checkout/done?session_id={CHECKOUT_SESSION_ID}", cancelUrl = "/order" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var session = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = session.GetProperty("id").GetString()!;
        Assert.StartsWith("cs_test_", id);
        Assert.Contains($"/c/pay/{id}", session.GetProperty("url").GetString());
        var outcome = await customer.GetJsonAsync($"/api/checkout-sessions/{id}");
        Assert.Equal("open", outcome.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, outcome.GetProperty("paymentMethodId").ValueKind);
    }

    [Theory]
    [InlineData("https://evil.example/steal?session_id={CHECKOUT_SESSION_ID}", "/order", "successUrl")]
    [InlineData("//evil.example/", "/order", "successUrl")]
    [InlineData("/checkout/done", "javascript:alert(1)", "cancelUrl")]
    [InlineData(null, "/order", "successUrl")]
    public async Task Stripe_may_only_send_the_browser_back_to_the_portal(string? successUrl, string? cancelUrl, string field)
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);

        using var response = await customer.PostAsync("/api/checkout-sessions", new { successUrl, cancelUrl });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Checkout_needs_a_customer()
    {
        using var response = await platform.Gateway.PostAsJsonAsync("/api/checkout-sessions", new { successUrl = "/", cancelUrl = "/" });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
