using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace ProMTA.EndToEnd;

/// <summary>
/// Issue 17 through the gateway with every service running: Billing learns the catalogue from Ordering, a live Starter
/// service is upgraded to Business with a prorated charge and its proration invoice, Provisioning adds three IPs, DNS
/// publishes their reverse DNS and Ordering shows the new plan and IPs.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class PlanChangeTests(PlatformFixture platform)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task An_upgrade_is_charged_prorated_invoiced_and_the_service_gets_the_new_plans_ips_with_their_reverse_dns()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        var stranger = await Customer.SignUpAsync(platform.Gateway);
        var (orderId, serviceId) = await customer.OrderActiveServiceAsync(Timeout);
        var path = $"/api/services/{serviceId}/plan-change";

        // Billing hears of the service going live (ServiceActivated) and of the catalogue (ProductPublished) by events.
        var preview = await PreviewWhenReadyAsync(customer, $"{path}?productId=promta-business");
        Assert.Equal("Upgrade", preview.GetProperty("kind").GetString());
        Assert.Equal(399.00m, preview.GetProperty("newMonthlyPrice").GetDecimal());
        Assert.True(preview.GetProperty("amountNow").GetDecimal() > 0);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"{path}?productId=promta-business")).StatusCode);

        using var response = await customer.PostAsync(path, new { productId = "promta-business" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Applied", result.GetProperty("status").GetString());
        var invoice = await customer.GetJsonAsync($"/api/invoices/{result.GetProperty("invoiceId").GetGuid()}");
        Assert.Equal(("Paid", preview.GetProperty("amountNow").GetDecimal()), (invoice.GetProperty("status").GetString(), invoice.GetProperty("amount").GetDecimal()));
        Assert.StartsWith("ProMTA Business (upgrade from ProMTA Starter)", invoice.GetProperty("description").GetString());

        var service = await customer.WaitForAsync($"/api/services/{serviceId}",
            s => s.GetProperty("productId").GetString() == "promta-business" && s.GetProperty("ips").GetArrayLength() == 4, Timeout);
        var ips = service.GetProperty("ips").EnumerateArray().Select(i => i.GetString()).ToList();
        await customer.WaitForAsync($"/api/services/{serviceId}/dns", d => d.GetProperty("records").EnumerateArray()
            .Count(r => r.GetProperty("type").GetString() == "PTR" && r.GetProperty("live").GetBoolean()) == 4, Timeout);
        var timeline = (await customer.GetJsonAsync($"/api/orders/{orderId}")).GetProperty("timeline").EnumerateArray();
        Assert.Contains(timeline, e => e.GetProperty("status").GetString() == "PlanChanged");
        Assert.Equal(4, ips.Distinct().Count());

        using var again = await customer.PostAsync(path, new { productId = "promta-business" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    private static async Task<JsonElement> PreviewWhenReadyAsync(Customer customer, string path)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            using var response = await customer.GetAsync(path);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (response.StatusCode == HttpStatusCode.OK) return body;
            // 400 until the catalogue arrives, 409 "not live yet" until ServiceActivated does.
            Assert.True(DateTime.UtcNow < deadline, $"The preview never answered 200; last: {(int)response.StatusCode} {body}");
            Assert.Contains(response.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Conflict });
            await Task.Delay(250);
        }
    }
}
