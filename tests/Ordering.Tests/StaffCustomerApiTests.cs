using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Ordering.Tests;

/// <summary>Staff open one customer (profile, services, orders, notes), scoped like every staff route.</summary>
public sealed class StaffCustomerApiTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task An_account_manager_opens_and_annotates_their_own_customer_and_gets_404_for_anyone_else_s()
    {
        await using var stack = await OrderingStack.StartAsync(postgres, new Dictionary<string, string?>());
        using var visitor = stack.Anonymous();
        var customerId = (await stack.PostJsonAsync(visitor, "/api/customers", new { email = "shop@customer.example", name = "Shop B.V.", password = "shop password 1" })).GetProperty("id").GetGuid();
        var operatorId = await stack.ScalarAsync<Guid>("INSERT INTO customers (id, email, name, password_hash, role, created_at) VALUES (gen_random_uuid(), 'op@promta.test', 'Olga Operator', 'x', 'operator', now()) RETURNING id");
        using var operatorClient = stack.ClientFor(operatorId, Roles.Operator);
        var mine = (await stack.PostJsonAsync(operatorClient, "/api/admin/staff", new { email = "am1@promta.test", name = "Anna Manager", password = "manager password 1", role = "account-manager" })).GetProperty("id").GetGuid();
        var other = (await stack.PostJsonAsync(operatorClient, "/api/admin/staff", new { email = "am2@promta.test", name = "Bert Manager", password = "manager password 2", role = "account-manager" })).GetProperty("id").GetGuid();
        using (var assigned = await operatorClient.PutAsJsonAsync($"/api/admin/customers/{customerId}/account-manager", new { accountManagerId = mine }))
        {
            Assert.Equal(HttpStatusCode.NoContent, assigned.StatusCode);
        }
        // Billing learns the manager's address with the assignment: it copies them on the customer's reputation notices.
        Assert.Equal("am1@promta.test", await stack.ScalarAsync<string>(
            "SELECT body->>'accountManagerEmail' FROM outbox_messages WHERE message_type LIKE '%AccountManagerAssigned'"));
        using var manager = stack.ClientFor(mine, Roles.AccountManager);
        using var stranger = stack.ClientFor(other, Roles.AccountManager);
        using var customer = stack.ClientFor(customerId);

        var view = await manager.GetFromJsonAsync<JsonElement>($"/api/admin/customers/{customerId}");
        Assert.Equal("Shop B.V.", view.GetProperty("name").GetString());
        Assert.False(view.GetProperty("emailVerified").GetBoolean());
        Assert.Equal(mine, view.GetProperty("accountManagerId").GetGuid());
        Assert.Empty(view.GetProperty("services").EnumerateArray());
        Assert.Empty(view.GetProperty("orders").EnumerateArray());

        using (var empty = await manager.PostAsJsonAsync($"/api/admin/customers/{customerId}/notes", new { text = " " }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
            Assert.True((await empty.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("text", out _));
        }
        var note = await stack.PostJsonAsync(manager, $"/api/admin/customers/{customerId}/notes", new { text = "Called: wants bank transfer once they order a second server." });
        Assert.Equal("Anna Manager", note.GetProperty("authorName").GetString());
        var noted = Assert.Single((await operatorClient.GetFromJsonAsync<JsonElement>($"/api/admin/customers/{customerId}")).GetProperty("notes").EnumerateArray());
        Assert.Equal("Called: wants bank transfer once they order a second server.", noted.GetProperty("text").GetString());

        foreach (var path in new[] { $"/api/admin/customers/{customerId}", $"/api/admin/customers/{Guid.NewGuid()}", $"/api/admin/customers/{operatorId}" })
        {
            using var hidden = await stranger.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        }
        using (var strangerNote = await stranger.PostAsJsonAsync($"/api/admin/customers/{customerId}/notes", new { text = "not mine" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, strangerNote.StatusCode);
        }
        using var refused = await customer.GetAsync($"/api/admin/customers/{customerId}");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
