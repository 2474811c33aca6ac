using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Xunit;

namespace ProMTA.EndToEnd;

/// <summary>
/// Issue 14, section 3, the gateway's part: made-up credentials are refused per client IP before they cost a lookup,
/// and anonymous requests share their IP's bucket whatever their Authorization header says.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class GatewayLimitsTests(PlatformFixture platform)
{
    /// <summary>RateLimits:FailedCredentialsPerMinute's default.</summary>
    private const int FailedCredentialsPerMinute = 30;

    [Fact]
    public async Task A_burst_of_made_up_api_keys_is_refused_with_429_before_any_lookup()
    {
        // From an address of its own: the block it provokes on purpose holds for a minute, which the other tests, all
        // from 127.0.0.1, neither wait out nor meet.
        using var gateway = platform.GatewayFrom(11);
        // A customer at the same address, whose key the gateway verified just before the burst.
        var working = await Customer.SignUpAsync(gateway);
        using (var first = await working.GetAsync("/api/orders")) Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var answers = new List<(HttpStatusCode Status, string TraceId, TimeSpan? RetryAfter, string? Title)>();
        for (var i = 0; i < 80; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "pmk_" + Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
            using var response = await gateway.SendAsync(request);
            var title = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                ? (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("title").GetString()
                : null;
            answers.Add((response.StatusCode, response.Headers.GetValues("X-Request-Id").Single(), response.Headers.RetryAfter?.Delta, title));
        }

        // Refused for the failed credentials (not merely for the IP's request rate, which counts after authentication).
        var refused = answers.Where(a => a.Title == "Too many failed credentials").ToList();
        Assert.All(answers, a => Assert.Contains(a.Status, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests }));
        Assert.True(answers.Count(a => a.Status == HttpStatusCode.Unauthorized) <= FailedCredentialsPerMinute);
        Assert.True(refused.Count > 0, "no failed-credential refusal; the answers were: "
            + string.Join(", ", answers.GroupBy(a => (a.Status, a.Title)).Select(g => $"{(int)g.Key.Status} {g.Key.Title} x{g.Count()}")));
        Assert.All(refused, a => Assert.Equal(HttpStatusCode.TooManyRequests, a.Status));
        Assert.All(refused, a => Assert.True(a.RetryAfter > TimeSpan.Zero));
        // The block is for unverified credentials: the customer whose key worked a moment ago is not locked out by them.
        using (var during = await working.GetAsync("/api/orders")) Assert.Equal(HttpStatusCode.OK, during.StatusCode);

        // Every request's trace reached the collector (the gateway's own span); none of the refused ones asked Ordering.
        var traces = answers.Select(a => a.TraceId).ToHashSet();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !traces.All(t => platform.Telemetry.Trace(t).Any(s => s.Service == "gateway"))) await Task.Delay(200);
        Assert.DoesNotContain(refused, a => platform.Telemetry.Trace(a.TraceId).Any(s => s.Service == "ordering"));
        Assert.True(answers.Count(a => platform.Telemetry.Trace(a.TraceId).Any(s => s.Service == "ordering")) <= FailedCredentialsPerMinute);
    }

    [Fact]
    public async Task Anonymous_requests_share_their_client_ips_bucket_whatever_their_authorization_header_says()
    {
        // Distinct junk headers used to get a bucket each; now they all spend the one of this client IP (its own, so the
        // next tests do not start on a spent bucket).
        using var gateway = platform.GatewayFrom(12);
        var statuses = await Task.WhenAll(Enumerable.Range(0, 300).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/products");
            request.Headers.TryAddWithoutValidation("Authorization", $"Basic junk-{i}");
            using var response = await gateway.SendAsync(request);
            return response.StatusCode;
        }));

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.Contains(HttpStatusCode.OK, statuses);
        Assert.DoesNotContain(statuses, s => (int)s >= 500);
    }
}
