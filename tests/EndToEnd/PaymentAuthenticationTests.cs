using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace ProMTA.EndToEnd;

[Collection(PlatformCollection.Name)]
public sealed partial class PaymentAuthenticationTests(PlatformFixture platform)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_card_that_needs_3d_secure_goes_live_once_the_customer_authenticates()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        using var placed = await customer.PlaceOrderAsync(new { productId = "promta-starter", paymentMethodId = "pm_card_authenticationRequired" }, Guid.NewGuid().ToString());
        var orderId = (await placed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();

        var failed = await customer.WaitForOrderStatusAsync(orderId, "PaymentFailed", Timeout);
        var detail = failed.GetProperty("timeline").EnumerateArray().Single(e => e.GetProperty("status").GetString() == "PaymentFailed")
            .GetProperty("detail").GetString()!;
        var payUrl = PayUrl().Match(detail).Groups[1].Value;
        Assert.StartsWith("http", payUrl);

        // The customer authenticates on the bank's page (the emulator's); Stripe then tells Billing by a signed webhook.
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var authenticated = await browser.GetAsync(payUrl);
        Assert.Equal(HttpStatusCode.Redirect, authenticated.StatusCode);

        await customer.WaitForOrderStatusAsync(orderId, "Active", Timeout);
        var invoices = (await customer.GetJsonAsync("/api/invoices")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal("Paid", Assert.Single(invoices).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_webhook_without_a_valid_signature_is_refused_and_changes_nothing()
    {
        var body = new StringContent("{\"id\":\"evt_forged\",\"object\":\"event\",\"type\":\"payment_intent.succeeded\",\"data\":{\"object\":{\"id\":\"pi_x\",\"object\":\"payment_intent\"}}}",
            Encoding.UTF8, "application/json");
        using var unsigned = await platform.Gateway.PostAsync("/api/webhooks/stripe", body);
        Assert.Equal(HttpStatusCode.BadRequest, unsigned.StatusCode);

        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/stripe") { Content = body };
        request.Headers.Add("Stripe-Signature", $"t={DateTimeOffset.UtcNow.ToUnixTimeSeconds()},v1=0000000000000000000000000000000000000000000000000000000000000000");
        using var forged = await platform.Gateway.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
    }

    [GeneratedRegex(@"Complete the payment at (\S+)")]
    private static partial Regex PayUrl();
}
