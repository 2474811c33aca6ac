using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace ProMTA.EndToEnd;

[Collection(PlatformCollection.Name)]
public sealed class ReviewTests(PlatformFixture platform)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task An_accepted_special_order_is_set_up_by_the_reviewers_deadline()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        var orderId = await PlaceSpecialOrderAsync(customer);
        await customer.WaitForOrderStatusAsync(orderId, "InReview", Timeout);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal("InReview", (await customer.GetJsonAsync($"/api/orders/{orderId}")).GetProperty("status").GetString()); // nothing set up yet

        var deadline = DateTimeOffset.UtcNow.AddDays(5).ToUniversalTime();
        using var decided = await ReviewAsync(orderId, new { decision = "accept", setupDeadline = deadline });
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);

        var order = await customer.WaitForOrderStatusAsync(orderId, "Active", Timeout);
        var service = await customer.GetJsonAsync($"/api/services/{order.GetProperty("serviceId").GetGuid()}");
        Assert.Equal(deadline.ToUnixTimeSeconds(), service.GetProperty("setupDeadline").GetDateTimeOffset().ToUnixTimeSeconds());

        using var twice = await ReviewAsync(orderId, new { decision = "reject", reason = "too late" });
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
    }

    [Fact]
    public async Task A_rejected_special_order_is_cancelled_and_refunded()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        var orderId = await PlaceSpecialOrderAsync(customer);
        await customer.WaitForOrderStatusAsync(orderId, "InReview", Timeout);

        using var missingReason = await ReviewAsync(orderId, new { decision = "reject" });
        Assert.Equal(HttpStatusCode.BadRequest, missingReason.StatusCode);
        using var decided = await ReviewAsync(orderId, new { decision = "reject", reason = "We cannot host 500 IPs in one rack." });
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);

        var order = await customer.WaitForAsync($"/api/orders/{orderId}",
            o => o.GetProperty("timeline").EnumerateArray().Any(e => e.GetProperty("status").GetString() == "PaymentRefunded"), Timeout);
        Assert.Equal("Cancelled", order.GetProperty("status").GetString());
        var service = await customer.GetJsonAsync($"/api/services/{order.GetProperty("serviceId").GetGuid()}");
        Assert.Equal("Ended", service.GetProperty("status").GetString());
        Assert.Empty(service.GetProperty("ips").EnumerateArray());

        // The refund is a credit note of the whole invoice (its own series), never an edit of the invoice.
        var invoice = Assert.Single((await customer.GetJsonAsync("/api/invoices")).GetProperty("items").EnumerateArray());
        var note = Assert.Single((await customer.GetJsonAsync("/api/credit-notes")).GetProperty("items").EnumerateArray());
        Assert.Equal((invoice.GetProperty("number").GetInt64(), invoice.GetProperty("amount").GetDecimal(), "Paid"),
            (note.GetProperty("invoiceNumber").GetInt64(), note.GetProperty("amount").GetDecimal(), invoice.GetProperty("status").GetString()));
        using var pdf = await customer.GetAsync($"/api/credit-notes/{note.GetProperty("id").GetGuid()}/pdf");
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_customer_cannot_review_orders()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        using var response = await customer.PostAsync($"/api/admin/orders/{Guid.NewGuid()}/review", new { decision = "accept", setupDeadline = DateTimeOffset.UtcNow.AddDays(1) });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task An_account_manager_sees_and_decides_only_their_own_customers_orders_in_review()
    {
        var theirs = await Customer.SignUpAsync(platform.Gateway);
        var other = await Customer.SignUpAsync(platform.Gateway);
        await platform.AssignToAccountManagerAsync(theirs);
        var theirOrder = await PlaceSpecialOrderAsync(theirs);
        var otherOrder = await PlaceSpecialOrderAsync(other);
        await theirs.WaitForOrderStatusAsync(theirOrder, "InReview", Timeout);
        await other.WaitForOrderStatusAsync(otherOrder, "InReview", Timeout);
        var manager = platform.AccountManager.Token;

        var listed = (await platform.GetStaffJsonAsync("/api/admin/orders/in-review?pageSize=200", manager)).GetProperty("items").EnumerateArray()
            .Select(o => o.GetProperty("orderId").GetGuid()).ToList();
        Assert.Contains(theirOrder, listed);
        Assert.DoesNotContain(otherOrder, listed);
        Assert.Equal(theirOrder, (await platform.GetStaffJsonAsync($"/api/admin/orders/{theirOrder}/review", manager)).GetProperty("orderId").GetGuid());
        using var foreignDetail = await platform.SendAsStaffAsync(HttpMethod.Get, $"/api/admin/orders/{otherOrder}/review", token: manager);
        Assert.Equal(HttpStatusCode.NotFound, foreignDetail.StatusCode);
        using var foreignReject = await ReviewAsync(otherOrder, new { decision = "reject", reason = "not mine to decide" }, manager);
        Assert.Equal(HttpStatusCode.NotFound, foreignReject.StatusCode);
        Assert.Equal("InReview", (await other.GetJsonAsync($"/api/orders/{otherOrder}")).GetProperty("status").GetString());

        // The operator sees both.
        var all = (await platform.GetStaffJsonAsync("/api/admin/orders/in-review?pageSize=200")).GetProperty("items").EnumerateArray()
            .Select(o => o.GetProperty("orderId").GetGuid()).ToList();
        Assert.Contains(otherOrder, all);
        using var rejected = await ReviewAsync(otherOrder, new { decision = "reject", reason = "Cleaning up after the test." });
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
    }

    [Fact]
    public async Task A_setup_deadline_past_the_extra_working_days_is_refused()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        var orderId = await PlaceSpecialOrderAsync(customer);
        await customer.WaitForOrderStatusAsync(orderId, "InReview", Timeout);

        using var farAway = await ReviewAsync(orderId, new { decision = "accept", setupDeadline = DateTimeOffset.UtcNow.AddDays(30) });
        Assert.Equal(HttpStatusCode.BadRequest, farAway.StatusCode);
        Assert.True((await farAway.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("setupDeadline", out _));
        Assert.Equal("InReview", (await customer.GetJsonAsync($"/api/orders/{orderId}")).GetProperty("status").GetString());

        using var accepted = await ReviewAsync(orderId, new { decision = "accept", setupDeadline = DateTimeOffset.UtcNow.AddDays(2) });
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    internal static async Task<Guid> PlaceSpecialOrderAsync(Customer customer)
    {
        using var placed = await customer.PlaceOrderAsync(new
        {
            productId = "promta-business",
            paymentMethodId = "pm_card_visa",
            specialRequirements = "We need the server in Frankfurt and 500 IPs.",
        }, Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        return (await placed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();
    }

    private async Task<HttpResponseMessage> ReviewAsync(Guid orderId, object decision, string? staffToken = null)
    {
        var token = staffToken ?? await platform.StaffTokenAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/admin/orders/{orderId}/review") { Content = JsonContent.Create(decision) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await platform.Gateway.SendAsync(request);
    }
}
