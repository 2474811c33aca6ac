using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace ProMTA.EndToEnd;

[Collection(PlatformCollection.Name)]
public sealed class ProvisioningAdminTests(PlatformFixture platform)
{
    [Fact]
    public async Task The_overdue_setups_list_is_for_operators_only()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        using var response = await customer.GetAsync("/api/admin/provisioning/overdue");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Operators_see_the_ip_pool_per_block_and_bad_or_overlapping_blocks_are_refused()
    {
        var blocks = (await platform.GetStaffJsonAsync("/api/admin/provisioning/ip-pool")).GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(blocks, b => b.GetProperty("cidr").GetString() == "127.0.1.0/24");
        Assert.All(blocks, b => Assert.True(b.GetProperty("free").GetInt32() + b.GetProperty("allocated").GetInt32() > 0));

        using var invalid = await platform.SendAsStaffAsync(HttpMethod.Post, "/api/admin/provisioning/ip-blocks", new { cidr = "10.0.0.0/8" });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("/16", (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("cidr")[0].GetString());
        using var overlapping = await platform.SendAsStaffAsync(HttpMethod.Post, "/api/admin/provisioning/ip-blocks", new { cidr = "127.0.1.0/25" });
        Assert.Equal(HttpStatusCode.Conflict, overlapping.StatusCode);
        using var unknown = await platform.SendAsStaffAsync(HttpMethod.Put, "/api/admin/provisioning/ips/192.0.2.1/block", new { reason = "test" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        var customer = await Customer.SignUpAsync(platform.Gateway);
        using var refused = await customer.GetAsync("/api/admin/provisioning/ip-pool");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
