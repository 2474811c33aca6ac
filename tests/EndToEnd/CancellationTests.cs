using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace ProMTA.EndToEnd;

[Collection(PlatformCollection.Name)]
public sealed class CancellationTests(PlatformFixture platform)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Cancelling_one_service_before_the_deadline_ends_it_with_the_paid_period_and_keeps_the_others()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        var (_, kept) = await customer.OrderActiveServiceAsync(Timeout);
        var (orderId, cancelled) = await customer.OrderActiveServiceAsync(Timeout);
        var paidThrough = (await customer.GetJsonAsync($"/api/services/{cancelled}")).GetProperty("paidThrough").GetString();

        using var response = await customer.PostAsync($"/api/services/{cancelled}/cancellation");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        // Ordered just now: far before the next period's deadline, so no further charge.
        Assert.False(answer.GetProperty("chargedAgain").GetBoolean());
        Assert.Equal(paidThrough, answer.GetProperty("endsOn").GetString());
        Assert.Equal(paidThrough, answer.GetProperty("lastChargedPeriodEnd").GetString());

        var service = await customer.WaitForAsync($"/api/services/{cancelled}", s => s.GetProperty("status").GetString() == "Ending", Timeout);
        Assert.Equal(paidThrough, service.GetProperty("endsOn").GetString());
        Assert.Equal("Active", (await customer.GetJsonAsync($"/api/services/{kept}")).GetProperty("status").GetString());
        var timeline = (await customer.GetJsonAsync($"/api/orders/{orderId}")).GetProperty("timeline").EnumerateArray();
        Assert.Contains(timeline, e => e.GetProperty("status").GetString() == "CancellationScheduled");

        // Asking again answers the same decision; withdrawing it restores the service.
        using var again = await customer.PostAsync($"/api/services/{cancelled}/cancellation");
        Assert.Equal(paidThrough, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("endsOn").GetString());
        using var withdrawn = await customer.DeleteAsync($"/api/services/{cancelled}/cancellation");
        Assert.Equal(HttpStatusCode.NoContent, withdrawn.StatusCode);
        await customer.WaitForAsync($"/api/services/{cancelled}", s => s.GetProperty("status").GetString() == "Active", Timeout);
    }

    [Fact]
    public async Task Another_customer_cannot_cancel_a_service()
    {
        var owner = await Customer.SignUpAsync(platform.Gateway);
        var stranger = await Customer.SignUpAsync(platform.Gateway);
        var (_, serviceId) = await owner.OrderActiveServiceAsync(Timeout);

        using var response = await stranger.PostAsync($"/api/services/{serviceId}/cancellation");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Active", (await owner.GetJsonAsync($"/api/services/{serviceId}")).GetProperty("status").GetString());
    }
}
