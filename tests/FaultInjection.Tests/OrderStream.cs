using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace ProMTA.FaultInjection;

/// <summary>One order the stream placed, with the outcome its card must lead to.</summary>
public sealed record PlacedOrder(Guid OrderId, Guid ServiceId, string ApiKey, string PaymentMethod)
{
    public string ExpectedStatus => PaymentMethod == OrderStream.GoodCard ? "Active" : "PaymentFailed";
}

/// <summary>
/// Customers placing orders through the gateway the way a well-behaved client does while the platform is being
/// hurt: an order keeps its Idempotency-Key across retries, 5xx and refused connections are retried, 429 waits.
/// </summary>
public sealed class OrderStream(HttpClient gateway)
{
    public const string GoodCard = "pm_card_visa";
    public const string DeclinedCard = "pm_card_chargeDeclined";

    private int retries;
    private readonly ConcurrentQueue<string> misleadingAnswers = new();
    private readonly ConcurrentDictionary<string, int> outageAnswers = new();

    /// <summary>Requests that had to be sent again (service down, 5xx, 429).</summary>
    public int Retries => retries;

    /// <summary>
    /// Answers the gateway gave during the outages that a client could not act on: anything but a 503 problem with a
    /// Retry-After (a bare 502, a 500, a 401 that calls a good key wrong).
    /// </summary>
    public IReadOnlyCollection<string> MisleadingAnswers => misleadingAnswers;

    /// <summary>How often the client met each status of an outage (a 5xx or a 401), by status code.</summary>
    public Dictionary<string, int> OutageAnswers => new(outageAnswers);

    public async Task<IReadOnlyList<string>> SignUpAsync(int customers, CancellationToken ct)
    {
        var keys = new List<string>();
        for (var i = 0; i < customers; i++)
        {
            var body = await SendWithRetriesAsync(() => new HttpRequestMessage(HttpMethod.Post, "/api/customers")
            {
                Content = JsonContent.Create(new { email = $"faults-{Guid.NewGuid():N}@example.test", name = "Fault Tester", password = "correct horse battery" }),
            }, ct);
            keys.Add(body.GetProperty("apiKey").GetString()!);
        }
        return keys;
    }

    public async Task<PlacedOrder> PlaceAsync(string apiKey, string paymentMethod, CancellationToken ct)
    {
        var idempotencyKey = Guid.NewGuid().ToString();
        var body = await SendWithRetriesAsync(() =>
        {
            var request = Authorized(HttpMethod.Post, "/api/orders", apiKey);
            request.Headers.Add("Idempotency-Key", idempotencyKey);
            request.Content = JsonContent.Create(new { productId = "promta-starter", paymentMethodId = paymentMethod });
            return request;
        }, ct);
        return new PlacedOrder(body.GetProperty("orderId").GetGuid(), body.GetProperty("serviceId").GetGuid(), apiKey, paymentMethod);
    }

    public Task<JsonElement> GetAsync(string path, string apiKey, CancellationToken ct) =>
        SendWithRetriesAsync(() => Authorized(HttpMethod.Get, path, apiKey), ct);

    /// <summary>
    /// A customer reading while the faults run, through routes the gateway proxies to Billing (invoices, with a key)
    /// and Ordering (the products, without one: no credential check stands in front of the proxy), until stopped;
    /// returns how many reads were answered. A service that is down meets these reads in the gateway's proxy.
    /// </summary>
    public async Task<int> ReadUntilStoppedAsync(IReadOnlyList<string> apiKeys, CancellationToken stop)
    {
        var reads = 0;
        try
        {
            while (true)
            {
                var key = apiKeys[reads % apiKeys.Count];
                await SendWithRetriesAsync(() => reads % 2 == 0 ? Authorized(HttpMethod.Get, "/api/invoices", key) : new HttpRequestMessage(HttpMethod.Get, "/api/products"), stop);
                reads++;
                await Task.Delay(TimeSpan.FromMilliseconds(250), stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return reads;
        }
    }

    /// <summary>The status of every order of one customer (one page of up to 200).</summary>
    public async Task<Dictionary<Guid, string>> StatusesAsync(string apiKey, CancellationToken ct)
    {
        var page = await GetAsync("/api/orders?pageSize=200", apiKey, ct);
        return page.GetProperty("items").EnumerateArray()
            .ToDictionary(o => o.GetProperty("orderId").GetGuid(), o => o.GetProperty("status").GetString()!);
    }

    private static string Shortened(string body) => body.Length <= 200 ? body : body[..200] + "...";

    private static HttpRequestMessage Authorized(HttpMethod method, string path, string apiKey)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return request;
    }

    private async Task<JsonElement> SendWithRetriesAsync(Func<HttpRequestMessage> request, CancellationToken ct)
    {
        while (true)
        {
            TimeSpan wait;
            try
            {
                using var response = await gateway.SendAsync(request(), ct);
                if (response.IsSuccessStatusCode) return await response.Content.ReadFromJsonAsync<JsonElement>(ct);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                }
                else if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    // A service or its database is down; retried either way, and recorded unless it said so as it should.
                    outageAnswers.AddOrUpdate(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
                    if (response.StatusCode != HttpStatusCode.ServiceUnavailable || response.Headers.RetryAfter is null
                        || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    {
                        misleadingAnswers.Enqueue($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} answered " +
                            $"{(int)response.StatusCode} ({response.Content.Headers.ContentType?.MediaType ?? "no body type"}, " +
                            $"Retry-After {(response.Headers.RetryAfter is null ? "missing" : "present")}): {Shortened(await response.Content.ReadAsStringAsync(ct))}");
                    }
                    wait = TimeSpan.FromSeconds(1);
                }
                else
                {
                    throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered " +
                        $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                wait = TimeSpan.FromSeconds(1); // the gateway itself is down or restarting
            }
            Interlocked.Increment(ref retries);
            await Task.Delay(wait, ct);
        }
    }
}
