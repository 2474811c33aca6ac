using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace ProMTA.EndToEnd;

[Collection(PlatformCollection.Name)]
public sealed class PublicApiTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_demo_request_is_confirmed_without_an_account_and_only_staff_see_it()
    {
        var email = $"prospect-{Guid.NewGuid():N}@example.test";
        using var response = await platform.Gateway.PostAsJsonAsync("/api/demo-requests",
            new { name = "Grace", email, company = "Example BV", preferredTimes = new[] { "Tuesday 10:00 CET", "Thursday afternoon" } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("Received", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        var customer = await Customer.SignUpAsync(platform.Gateway);
        using var forbidden = await customer.GetAsync("/api/admin/demo-requests");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);

        var staff = await platform.StaffTokenAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/admin/demo-requests?pageSize=200");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", staff);
        using var list = await platform.Gateway.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var items = (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray();
        Assert.Contains(items, d => d.GetProperty("email").GetString() == email);

        // A demo request never becomes an account.
        using var login = await platform.Gateway.PostAsJsonAsync("/api/auth/token", new { email, password = "anything at all" });
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
    }

    [Fact]
    public async Task A_demo_request_without_preferred_times_names_the_field()
    {
        using var response = await platform.Gateway.PostAsJsonAsync("/api/demo-requests", new { name = "Grace", email = "grace@example.test", preferredTimes = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("preferredTimes", out _));
    }

    [Fact]
    public async Task Login_gives_a_working_token_and_guessing_passwords_is_rate_limited()
    {
        // From an address of its own: the login budget it spends on purpose is not the one the other tests log in with.
        using var gateway = platform.GatewayFrom(13);
        var email = $"login-{Guid.NewGuid():N}@example.test";
        using var signup = await gateway.PostAsJsonAsync("/api/customers", new { email, name = "Login", password = "correct horse battery" });
        Assert.Equal(HttpStatusCode.Created, signup.StatusCode);

        var token = await LoginAsync(gateway, email, "correct horse battery");
        using var orders = new HttpRequestMessage(HttpMethod.Get, "/api/orders");
        orders.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await gateway.SendAsync(orders)).StatusCode);

        HttpResponseMessage? limited = null;
        for (var attempt = 0; attempt < 30 && limited is null; attempt++)
        {
            var response = await gateway.PostAsJsonAsync("/api/auth/token", new { email, password = $"guess {attempt}" });
            if (response.StatusCode == HttpStatusCode.TooManyRequests) limited = response;
            else Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        Assert.NotNull(limited);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_oversized_request_is_refused_before_any_service()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        using var response = await customer.PlaceOrderAsync(
            new { productId = "promta-starter", paymentMethodId = "pm_card_visa", specialRequirements = new string('x', 300_000) }, Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, (await customer.GetJsonAsync("/api/orders")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task The_openapi_document_describes_the_public_routes_and_nothing_internal()
    {
        var document = await platform.Gateway.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var expected in new[] { "/api/customers", "/api/auth/token", "/api/products", "/api/orders", "/api/orders/{orderId}",
                     "/api/services", "/api/services/{serviceId}", "/api/services/{serviceId}/cancellation", "/api/invoices", "/api/demo-requests",
                     "/api/me", "/api/services/{serviceId}/delivery/history", "/api/services/{serviceId}/messages",
                     "/api/services/{serviceId}/webhooks", "/api/services/{serviceId}/webhooks/{webhookId}/replay",
                     "/api/services/{serviceId}/suppressions/export", "/api/services/{serviceId}/suppressions/import" })
        {
            Assert.Contains(expected, paths);
        }
        Assert.DoesNotContain(paths, p => p.StartsWith("/internal", StringComparison.Ordinal) || p.StartsWith("/health", StringComparison.Ordinal));
        using var products = await platform.Gateway.GetAsync("/api/products");
        Assert.Matches("^[0-9a-f]{32}$", products.Headers.GetValues("X-Request-Id").Single()); // the trace id, to quote in a support ticket
        using var docs = await platform.Gateway.GetAsync("/api/docs");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        using var introspect = await platform.Gateway.PostAsJsonAsync("/internal/auth/introspect", new { token = "pmk_x" });
        Assert.Equal(HttpStatusCode.NotFound, introspect.StatusCode);
    }

    private static async Task<string> LoginAsync(HttpClient gateway, string email, string password)
    {
        using var response = await gateway.PostAsJsonAsync("/api/auth/token", new { email, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }
}
