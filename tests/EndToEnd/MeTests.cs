using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace ProMTA.EndToEnd;

/// <summary>GET /api/me: who the caller is, so the portal never probes a staff route to find out (issue 18).</summary>
[Collection(PlatformCollection.Name)]
public sealed class MeTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_customer_and_an_operator_each_learn_who_they_are()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);

        var me = await customer.GetJsonAsync("/api/me");

        Assert.Equal(customer.Email, me.GetProperty("email").GetString());
        Assert.Equal("customer", me.GetProperty("role").GetString());
        Assert.False(me.GetProperty("staff").GetBoolean());
        Assert.Equal(await platform.CustomerIdAsync(customer.Email), me.GetProperty("id").GetGuid());

        var staff = await platform.GetStaffJsonAsync("/api/me");
        Assert.Equal(platform.Operator.Email, staff.GetProperty("email").GetString());
        Assert.Equal("operator", staff.GetProperty("role").GetString());
        Assert.True(staff.GetProperty("staff").GetBoolean());
    }

    [Fact]
    public async Task Without_credentials_the_answer_is_401()
    {
        using var response = await platform.Gateway.GetAsync("/api/me");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
