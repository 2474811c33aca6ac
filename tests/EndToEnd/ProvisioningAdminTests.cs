using System.Net;
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
}
