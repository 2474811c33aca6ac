using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace ProMTA.EndToEnd;

[Collection(PlatformCollection.Name)]
public sealed class StaffTests(PlatformFixture platform)
{
    [Fact]
    public async Task An_account_manager_sees_only_their_customers_and_an_operator_sees_all()
    {
        var (theirs, theirsId, other, _) = await TwoCustomersOneManagedAsync();

        var managed = await ListCustomersAsync(platform.AccountManager.Token);
        Assert.Contains(theirs.Email, managed);
        Assert.DoesNotContain(other.Email, managed);
        var all = await ListCustomersAsync(null);
        Assert.Contains(other.Email, all);

        // operator-only routes
        using var forbidden = await platform.SendAsStaffAsync(HttpMethod.Put, $"/api/admin/customers/{theirsId}/account-manager",
            new { accountManagerId = platform.AccountManager.Id }, platform.AccountManager.Token);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        using var customerForbidden = await theirs.GetAsync("/api/admin/customers");
        Assert.Equal(HttpStatusCode.Forbidden, customerForbidden.StatusCode);
    }

    [Fact]
    public async Task Billing_staff_routes_answer_an_account_manager_only_for_their_own_customers()
    {
        var (theirs, theirsId, _, otherId) = await TwoCustomersOneManagedAsync();

        // Billing learns the assignment from Ordering's AccountManagerAssigned: then the manager may decide for this
        // customer (refused here by rule 8, one service at most), never for anyone else's.
        var reason = new { reason = "Pays by transfer from its parent company" };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        HttpStatusCode own;
        do
        {
            using var attempt = await platform.SendAsStaffAsync(HttpMethod.Post, $"/api/admin/customers/{theirsId}/bank-transfer", reason, platform.AccountManager.Token);
            own = attempt.StatusCode;
            if (own == HttpStatusCode.NotFound) await Task.Delay(250);
        }
        while (own == HttpStatusCode.NotFound && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.Conflict, own);
        using var foreign = await platform.SendAsStaffAsync(HttpMethod.Post, $"/api/admin/customers/{otherId}/bank-transfer", reason, platform.AccountManager.Token);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        using var byOperator = await platform.SendAsStaffAsync(HttpMethod.Post, $"/api/admin/customers/{otherId}/bank-transfer", reason);
        Assert.Equal(HttpStatusCode.Conflict, byOperator.StatusCode);

        using var disputes = await platform.SendAsStaffAsync(HttpMethod.Get, "/api/admin/disputes", token: platform.AccountManager.Token);
        Assert.Equal(HttpStatusCode.OK, disputes.StatusCode);
        using var customerForbidden = await theirs.GetAsync("/api/admin/disputes");
        Assert.Equal(HttpStatusCode.Forbidden, customerForbidden.StatusCode);
    }

    [Fact]
    public async Task An_operator_edits_the_catalog_and_bad_prices_are_refused()
    {
        var update = new { name = "ProMTA Enterprise", description = "Dedicated server, 16 dedicated IPs, unlimited relay.", monthlyPrice = new { amount = 1299.00m, currency = "EUR" }, ips = 16 };
        using var updated = await platform.SendAsStaffAsync(HttpMethod.Put, "/api/admin/products/promta-enterprise", update);
        Assert.Equal(HttpStatusCode.NoContent, updated.StatusCode);
        var products = await platform.Gateway.GetFromJsonAsync<JsonElement>("/api/products");
        var enterprise = products.EnumerateArray().Single(p => p.GetProperty("id").GetString() == "promta-enterprise");
        Assert.Equal(1299.00m, enterprise.GetProperty("monthlyPrice").GetProperty("amount").GetDecimal());

        using var bad = await platform.SendAsStaffAsync(HttpMethod.Put, "/api/admin/products/promta-enterprise",
            new { name = "x", description = "y", monthlyPrice = new { amount = -1m, currency = "EUR" }, ips = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("monthlyPrice", out _));
        Assert.True(errors.TryGetProperty("ips", out _));
        using var missing = await platform.SendAsStaffAsync(HttpMethod.Put, "/api/admin/products/no-such-product", update);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    /// <summary>Two new customers; the operator assigns the first to the run's account manager.</summary>
    private async Task<(Customer Theirs, Guid TheirsId, Customer Other, Guid OtherId)> TwoCustomersOneManagedAsync()
    {
        var theirs = await Customer.SignUpAsync(platform.Gateway);
        var other = await Customer.SignUpAsync(platform.Gateway);
        return (theirs, await platform.AssignToAccountManagerAsync(theirs), other, await platform.CustomerIdAsync(other.Email));
    }

    private async Task<List<string>> ListCustomersAsync(string? token) =>
        [.. (await platform.GetStaffJsonAsync("/api/admin/customers?pageSize=200", token)).GetProperty("items").EnumerateArray()
            .Select(c => c.GetProperty("email").GetString()!)];
}
