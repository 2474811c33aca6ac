using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace ProMTA.EndToEnd;

/// <summary>
/// Issue 14, section 4: people change their password, end their sessions, operators disable staff accounts, and staff
/// API keys expire. A credential that stops working may still pass the gateway's 30-second credential cache, so the
/// checks wait for that (ApiKeysApi.RevocationDelay), never longer.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class AccountSecurityTests(PlatformFixture platform)
{
    private const string Password = "correct horse battery";
    private static readonly TimeSpan CacheDelay = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Changing_the_password_needs_the_current_one_and_ends_the_access_tokens_issued_before()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        var before = await LoginAsync(customer.Email, Password);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(HttpMethod.Get, "/api/orders", before));

        using var wrong = await SendAsync(HttpMethod.Put, "/api/account/password", before, new { currentPassword = "not my password", newPassword = "a brand new passphrase" });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.True((await wrong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("currentPassword", out _));

        using var changed = await SendAsync(HttpMethod.Put, "/api/account/password", before, new { currentPassword = Password, newPassword = "a brand new passphrase" });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var fresh = (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(HttpMethod.Get, "/api/orders", fresh));
        await WaitForStatusAsync("/api/orders", before, HttpStatusCode.Unauthorized);
        using var oldPassword = await LoginResponseAsync(customer.Email, Password);
        Assert.Equal(HttpStatusCode.Unauthorized, oldPassword.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(HttpMethod.Get, "/api/orders", await LoginAsync(customer.Email, "a brand new passphrase")));
        // The API key is not a session: it keeps working until revoked.
        using var byKey = await customer.GetAsync("/api/orders");
        Assert.Equal(HttpStatusCode.OK, byKey.StatusCode);
    }

    [Fact]
    public async Task Logging_out_everywhere_ends_every_access_token_and_a_new_login_works_at_once()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        var first = await LoginAsync(customer.Email, Password);

        Assert.Equal(HttpStatusCode.NoContent, await StatusAsync(HttpMethod.Post, "/api/auth/logout-everywhere", first));
        var again = await LoginAsync(customer.Email, Password);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(HttpMethod.Get, "/api/orders", again));
        await WaitForStatusAsync("/api/orders", first, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_operator_disables_a_staff_account_its_password_and_tokens_stop_working_until_enabled()
    {
        var email = $"leaver-{Guid.NewGuid():N}@promta.local";
        using var created = await platform.SendAsStaffAsync(HttpMethod.Post, "/api/admin/staff", new { email, name = "Leaver", password = Password, role = "account-manager" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var staffId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var token = await LoginAsync(email, Password);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(HttpMethod.Get, "/api/admin/customers", token));

        using var byManager = await platform.SendAsStaffAsync(HttpMethod.Post, $"/api/admin/staff/{staffId}/disable", token: platform.AccountManager.Token);
        Assert.Equal(HttpStatusCode.Forbidden, byManager.StatusCode);
        using var disabled = await platform.SendAsStaffAsync(HttpMethod.Post, $"/api/admin/staff/{staffId}/disable");
        Assert.Equal(HttpStatusCode.NoContent, disabled.StatusCode);

        using var login = await LoginResponseAsync(email, Password);
        Assert.Equal(HttpStatusCode.Forbidden, login.StatusCode);
        await WaitForStatusAsync("/api/admin/customers", token, HttpStatusCode.Unauthorized);

        using var enabled = await platform.SendAsStaffAsync(HttpMethod.Post, $"/api/admin/staff/{staffId}/enable");
        Assert.Equal(HttpStatusCode.NoContent, enabled.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(HttpMethod.Get, "/api/admin/customers", await LoginAsync(email, Password)));

        var customer = await Customer.SignUpAsync(platform.Gateway);
        using var notStaff = await platform.SendAsStaffAsync(HttpMethod.Post, $"/api/admin/staff/{await platform.CustomerIdAsync(customer.Email)}/disable");
        Assert.Equal(HttpStatusCode.NotFound, notStaff.StatusCode);
    }

    [Fact]
    public async Task A_staff_members_api_key_expires_and_a_customers_does_not()
    {
        using var staffKey = await platform.SendAsStaffAsync(HttpMethod.Post, "/api/api-keys", token: platform.AccountManager.Token);
        Assert.Equal(HttpStatusCode.Created, staffKey.StatusCode);
        var expiresAt = (await staffKey.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(expiresAt, DateTimeOffset.UtcNow.AddDays(29), DateTimeOffset.UtcNow.AddDays(31));

        var customer = await Customer.SignUpAsync(platform.Gateway);
        using var customerKey = await customer.PostAsync("/api/api-keys");
        Assert.Equal(JsonValueKind.Null, (await customerKey.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("expiresAt").ValueKind);
    }

    private async Task<string> LoginAsync(string email, string password)
    {
        using var response = await LoginResponseAsync(email, password);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    /// <summary>
    /// Logins are limited per client IP per minute and the whole run shares one IP (the login rate-limit test spends
    /// the budget on purpose): wait out a 429 as a client would.
    /// </summary>
    private async Task<HttpResponseMessage> LoginResponseAsync(string email, string password)
    {
        for (var attempt = 0; ; attempt++)
        {
            var response = await platform.Gateway.PostAsJsonAsync("/api/auth/token", new { email, password });
            if (response.StatusCode != HttpStatusCode.TooManyRequests || attempt == 5) return response;
            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(5));
            response.Dispose();
        }
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return platform.Gateway.SendAsync(request);
    }

    private async Task<HttpStatusCode> StatusAsync(HttpMethod method, string path, string token)
    {
        using var response = await SendAsync(method, path, token);
        return response.StatusCode;
    }

    private async Task WaitForStatusAsync(string path, string token, HttpStatusCode expected)
    {
        var deadline = DateTime.UtcNow + CacheDelay;
        HttpStatusCode status;
        while ((status = await StatusAsync(HttpMethod.Get, path, token)) != expected && DateTime.UtcNow < deadline) await Task.Delay(500);
        Assert.Equal(expected, status);
    }
}
