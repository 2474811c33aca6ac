using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace ProMTA.EndToEnd;

/// <summary>A customer driving the public API through the gateway, as curl or the portal would.</summary>
public sealed class Customer(HttpClient gateway, string apiKey, string email)
{
    public string Email => email;

    public static async Task<Customer> SignUpAsync(HttpClient gateway)
    {
        var email = $"e2e-{Guid.NewGuid():N}@example.test";
        // The whole suite signs up from one address: a test that has just spent this address's limits on purpose
        // (GatewayLimitsTests) leaves the next one a 429 with Retry-After; waiting it out is what a client does.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        HttpResponseMessage response;
        while ((response = await gateway.PostAsJsonAsync("/api/customers", new { email, name = "E2E Customer", password = "correct horse battery" }))
            .StatusCode == HttpStatusCode.TooManyRequests && DateTime.UtcNow < deadline)
        {
            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            response.Dispose();
            await Task.Delay(wait);
        }
        using var created = response;
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new Customer(gateway, body.GetProperty("apiKey").GetString()!, email);
    }

    public Task<HttpResponseMessage> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

    public Task<HttpResponseMessage> PlaceOrderAsync(object order, string idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = JsonContent.Create(order) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return SendAsync(request);
    }

    public Task<HttpResponseMessage> PostAsync(string path, object? body = null) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body) });

    public Task<HttpResponseMessage> PutAsync(string path, object body) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(body) });

    public Task<HttpResponseMessage> DeleteAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Delete, path));

    /// <summary>Places an order with Stripe's test card; the trace id is the gateway's X-Request-Id.</summary>
    public async Task<(Guid OrderId, Guid ServiceId, string TraceId)> PlaceCardOrderAsync()
    {
        using var placed = await PlaceOrderAsync(new { productId = "promta-starter", paymentMethodId = "pm_card_visa" }, Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var created = await placed.Content.ReadFromJsonAsync<JsonElement>();
        return (created.GetProperty("orderId").GetGuid(), created.GetProperty("serviceId").GetGuid(), Assert.Single(placed.Headers.GetValues("X-Request-Id")));
    }

    /// <summary>Places an order with Stripe's test card and waits until it is live.</summary>
    public async Task<(Guid OrderId, Guid ServiceId)> OrderActiveServiceAsync(TimeSpan timeout)
    {
        using var placed = await PlaceOrderAsync(new { productId = "promta-starter", paymentMethodId = "pm_card_visa" }, Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var created = await placed.Content.ReadFromJsonAsync<JsonElement>();
        var orderId = created.GetProperty("orderId").GetGuid();
        await WaitForOrderStatusAsync(orderId, "Active", timeout);
        return (orderId, created.GetProperty("serviceId").GetGuid());
    }

    /// <summary>Polls a resource until <paramref name="done"/> holds; fails with the last body seen.</summary>
    public async Task<JsonElement> WaitForAsync(string path, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonElement body;
        do
        {
            body = await GetJsonAsync(path);
            if (done(body)) return body;
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"{path} did not reach the expected state within {timeout}; last seen: {body}");
        return body;
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Polls the order until it reaches <paramref name="status"/>; fails with the last timeline seen.</summary>
    public async Task<JsonElement> WaitForOrderStatusAsync(Guid orderId, string status, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonElement order;
        do
        {
            order = await GetJsonAsync($"/api/orders/{orderId}");
            if (order.GetProperty("status").GetString() == status) return order;
            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"Order {orderId} did not reach {status} within {timeout}; last seen: {order}");
        return order;
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return gateway.SendAsync(request);
    }
}
