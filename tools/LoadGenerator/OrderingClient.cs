using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ProMTA.ServiceDefaults.Auth;

namespace ProMTA.LoadGenerator;

public sealed record Customer(Guid Id, string ApiKey);

/// <summary>
/// The order API either through the gateway (bearer API key, as customers call it) or straight at Ordering with
/// the caller header the gateway would have signed: the difference between the two is the gateway's cost.
/// </summary>
public sealed class OrderingClient(HttpClient http, CallerToken? directSigner)
{
    public static OrderingClient ThroughGateway(Uri gateway) => new(NewHttp(gateway), null);

    public static OrderingClient Direct(Uri ordering, string internalSecret) => new(NewHttp(ordering), new CallerToken(internalSecret));

    public async Task<Customer> SignUpAsync(CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync("/api/customers",
            new { email = $"load-{Guid.NewGuid():N}@example.test", name = "Load Generator", password = "correct horse battery" }, ct);
        var body = await ReadAsync(response, ct);
        return new Customer(body.GetProperty("id").GetGuid(), body.GetProperty("apiKey").GetString()!);
    }

    public async Task<Guid> PlaceOrderAsync(Customer customer, string paymentMethod, CancellationToken ct)
    {
        using var request = Authorized(HttpMethod.Post, "/api/orders", customer);
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        request.Content = JsonContent.Create(new { productId = "promta-starter", paymentMethodId = paymentMethod });
        using var response = await http.SendAsync(request, ct);
        return (await ReadAsync(response, ct)).GetProperty("orderId").GetGuid();
    }

    public async Task<JsonElement> GetOrderAsync(Customer customer, Guid orderId, CancellationToken ct)
    {
        using var request = Authorized(HttpMethod.Get, $"/api/orders/{orderId}", customer);
        using var response = await http.SendAsync(request, ct);
        return await ReadAsync(response, ct);
    }

    /// <summary>Status of each of the customer's orders (first page of 200).</summary>
    public async Task<Dictionary<Guid, string>> StatusesAsync(Customer customer, CancellationToken ct)
    {
        using var request = Authorized(HttpMethod.Get, "/api/orders?pageSize=200", customer);
        using var response = await http.SendAsync(request, ct);
        return (await ReadAsync(response, ct)).GetProperty("items").EnumerateArray()
            .ToDictionary(o => o.GetProperty("orderId").GetGuid(), o => o.GetProperty("status").GetString()!);
    }

    private HttpRequestMessage Authorized(HttpMethod method, string path, Customer customer)
    {
        var request = new HttpRequestMessage(method, path);
        if (directSigner is null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", customer.ApiKey);
        }
        else
        {
            request.Headers.Add(CallerToken.HeaderName, directSigner.Create(new Caller(customer.Id, Roles.Customer), DateTimeOffset.UtcNow));
        }
        return request;
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            var retryAfter = response.StatusCode == HttpStatusCode.TooManyRequests ? $" (rate limited, Retry-After {response.Headers.RetryAfter})" : "";
            throw new HttpRequestException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode}{retryAfter} " +
                await response.Content.ReadAsStringAsync(ct));
        }
        return await response.Content.ReadFromJsonAsync<JsonElement>(ct);
    }

    private static HttpClient NewHttp(Uri baseAddress) => new(new SocketsHttpHandler { MaxConnectionsPerServer = 64 })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromSeconds(100),
    };
}
