using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace ProMTA.EndToEnd;

[Collection(PlatformCollection.Name)]
public sealed class RelayModeTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_customer_switches_a_service_to_unmanaged_with_a_warning_and_back()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        var (_, serviceId) = await customer.OrderActiveServiceAsync(TimeSpan.FromSeconds(90));
        var put = async (object body) =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, $"/api/services/{serviceId}/relay-mode") { Content = JsonContent.Create(body) };
            return await customer.SendAsync(request);
        };

        using var unmanaged = await put(new { mode = "unmanaged" });
        Assert.Equal(HttpStatusCode.OK, unmanaged.StatusCode);
        Assert.Contains("deliverability", (await unmanaged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("warning").GetString());
        Assert.Equal("unmanaged", (await customer.GetJsonAsync($"/api/services/{serviceId}/delivery")).GetProperty("relayMode").GetString());
        await EveryViewSaysAsync(customer, serviceId, "unmanaged");

        using var invalid = await put(new { mode = "turbo" });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        using var managed = await put(new { mode = "managed" });
        Assert.Equal(HttpStatusCode.OK, managed.StatusCode);
        Assert.Equal("managed", (await customer.GetJsonAsync($"/api/services/{serviceId}/delivery")).GetProperty("relayMode").GetString());
        await EveryViewSaysAsync(customer, serviceId, "managed");

        // Both switches are audited for operators, newest first; customers cannot read the audit.
        var changes = (await platform.GetStaffJsonAsync($"/api/admin/relay-mode-changes?serviceId={serviceId}")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([("unmanaged", "managed"), ("managed", "unmanaged")],
            changes.Select(c => (c.GetProperty("fromMode").GetString(), c.GetProperty("toMode").GetString())));
        Assert.All(changes, c => Assert.StartsWith("customer:", c.GetProperty("changedBy").GetString()));
        using var forbidden = await customer.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/admin/relay-mode-changes"));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    /// <summary>
    /// Issue 18, defect 7: every view of the service tells the same mode. Delivery's answers at once (it owns the mode);
    /// Ordering's service views follow its RelayModeChanged event, so they are read until they agree.
    /// </summary>
    private static async Task EveryViewSaysAsync(Customer customer, Guid serviceId, string mode)
    {
        Assert.Equal(mode, (await customer.GetJsonAsync($"/api/services/{serviceId}/delivery")).GetProperty("relayMode").GetString());
        await customer.WaitForAsync($"/api/services/{serviceId}", s => s.GetProperty("relayMode").GetString() == mode, TimeSpan.FromSeconds(30));
        await customer.WaitForAsync("/api/services", list => list.GetProperty("items").EnumerateArray()
            .Single(s => s.GetProperty("serviceId").GetGuid() == serviceId).GetProperty("relayMode").GetString() == mode, TimeSpan.FromSeconds(30));
    }
}
