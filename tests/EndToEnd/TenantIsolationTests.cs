using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;

namespace ProMTA.EndToEnd;

[Collection(PlatformCollection.Name)]
public sealed class TenantIsolationTests(PlatformFixture platform)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Every_route_answers_404_for_another_customers_ids()
    {
        var owner = await Customer.SignUpAsync(platform.Gateway);
        var stranger = await Customer.SignUpAsync(platform.Gateway);
        var (orderId, serviceId) = await owner.OrderActiveServiceAsync(Timeout);
        var invoiceId = (await owner.GetJsonAsync("/api/invoices")).GetProperty("items")[0].GetProperty("id").GetGuid();
        using var created = await owner.PostAsync("/api/api-keys");
        var keyId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var checkout = await owner.PostAsync("/api/checkout-sessions", new { successUrl = "/checkout/done?session_id={CHECKOUT_SESSION_ID}", cancelUrl = "/order" });
        var checkoutId = (await checkout.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        (HttpMethod Method, string Path)[] routes =
        [
            (HttpMethod.Get, $"/api/orders/{orderId}"),
            (HttpMethod.Get, $"/api/services/{serviceId}"),
            (HttpMethod.Get, $"/api/services/{serviceId}/delivery"),
            (HttpMethod.Get, $"/api/services/{serviceId}/messages"),
            (HttpMethod.Get, $"/api/services/{serviceId}/messages?recipient=someone@example.test"),
            (HttpMethod.Get, $"/api/services/{serviceId}/webhooks"),
            (HttpMethod.Get, $"/api/services/{serviceId}/suppressions/export"),
            (HttpMethod.Post, $"/api/services/{serviceId}/smtp-password"),
            (HttpMethod.Put, $"/api/services/{serviceId}/relay-mode"),
            (HttpMethod.Get, $"/api/services/{serviceId}/suppressions"),
            (HttpMethod.Delete, $"/api/services/{serviceId}/suppressions/someone@example.test"),
            (HttpMethod.Get, $"/api/services/{serviceId}/cancellation"),
            (HttpMethod.Post, $"/api/services/{serviceId}/cancellation"),
            (HttpMethod.Delete, $"/api/services/{serviceId}/cancellation"),
            (HttpMethod.Get, $"/api/invoices/{invoiceId}"),
            (HttpMethod.Get, $"/api/invoices/{invoiceId}/pdf"),
            (HttpMethod.Get, $"/api/services/{serviceId}/dns"),
            (HttpMethod.Put, $"/api/services/{serviceId}/domains/example.test/forwarding"),
            (HttpMethod.Delete, $"/api/services/{serviceId}/domains/example.test/forwarding"),
            (HttpMethod.Delete, $"/api/api-keys/{keyId}"),
            (HttpMethod.Get, $"/api/checkout-sessions/{checkoutId}"),
            (HttpMethod.Get, $"/api/services/{serviceId}/queue"),
            (HttpMethod.Post, $"/api/services/{serviceId}/queue/pause"),
            (HttpMethod.Post, $"/api/services/{serviceId}/queue/resume"),
            (HttpMethod.Post, $"/api/services/{serviceId}/queue/purge"),
            (HttpMethod.Post, $"/api/services/{serviceId}/queue/requeue"),
            (HttpMethod.Get, $"/api/services/{serviceId}/reputation"),
            (HttpMethod.Get, $"/api/services/{serviceId}/smtp-credentials"),
            (HttpMethod.Get, $"/api/services/{serviceId}/audit"),
            (HttpMethod.Post, $"/api/services/{serviceId}/smtp-credentials"),
        ];
        foreach (var (method, path) in routes)
        {
            var request = new HttpRequestMessage(method, path);
            if (method == HttpMethod.Put) request.Content = JsonContent.Create(new { mode = "unmanaged" });
            if (path.Contains("/queue/", StringComparison.Ordinal)) request.Content = JsonContent.Create(new { all = true });
            if (path.EndsWith("/smtp-credentials", StringComparison.Ordinal) && method == HttpMethod.Post) request.Content = JsonContent.Create(new { name = "stolen" });
            using var response = await stranger.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} answered {(int)response.StatusCode} to another customer");
        }

        // and nothing changed for the owner
        var service = await owner.GetJsonAsync($"/api/services/{serviceId}");
        Assert.Equal("Active", service.GetProperty("status").GetString());
        var keys = (await owner.GetJsonAsync("/api/api-keys")).GetProperty("items").EnumerateArray();
        Assert.All(keys, k => Assert.Equal(JsonValueKind.Null, k.GetProperty("revokedAt").ValueKind));
    }

    [Fact]
    public async Task A_revoked_api_key_stops_working()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        using var created = await customer.PostAsync("/api/api-keys");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = await created.Content.ReadFromJsonAsync<JsonElement>();
        var second = new Customer(platform.Gateway, key.GetProperty("apiKey").GetString()!, customer.Email);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/api/orders")).StatusCode);

        using var revoked = await customer.DeleteAsync($"/api/api-keys/{key.GetProperty("id").GetGuid()}");
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        var listed = (await customer.GetJsonAsync("/api/api-keys")).GetProperty("items").EnumerateArray()
            .Single(k => k.GetProperty("id").GetGuid() == key.GetProperty("id").GetGuid());
        Assert.NotEqual(JsonValueKind.Null, listed.GetProperty("revokedAt").ValueKind);
        Assert.DoesNotContain(key.GetProperty("apiKey").GetString()!, listed.ToString()); // never shown again

        // The gateway caches a credential's identity for up to 30 s.
        var deadline = DateTime.UtcNow.AddSeconds(40);
        HttpStatusCode status;
        do
        {
            status = (await second.GetAsync("/api/orders")).StatusCode;
            if (status == HttpStatusCode.Unauthorized) break;
            await Task.Delay(1000);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Theory]
    [InlineData("/api/orders", "{\"productId\": 42, \"paymentMethodId\": \"pm_card_visa\"}")]
    [InlineData("/api/orders", "{\"productId\": \"promta-starter\", \"paymentMethodId\": [1, 2]}")]
    [InlineData("/api/orders", "not json at all")]
    [InlineData("/api/customers", "{\"email\": true, \"name\": \"x\", \"password\": \"correct horse battery\"}")]
    [InlineData("/api/demo-requests", "{\"name\": \"x\", \"email\": \"x@example.test\", \"preferredTimes\": \"monday\"}")]
    public async Task Malformed_json_is_a_400_problem_and_writes_nothing(string path, string body)
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var response = await customer.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, (await customer.GetJsonAsync("/api/orders")).GetProperty("total").GetInt32());
    }
}
