using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// Teams as Delivery.dll sees them (docs/teams.md): the shared team-role gate refuses a read-only member's change
/// before the handler runs, and the service's audit log names the member who made each change.
/// </summary>
public sealed class TeamMemberAuditTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task The_audit_names_the_member_who_acted_and_a_read_only_member_changes_nothing()
    {
        await using var delivery = await DeliveryProcess.StartAsync(postgres.ConnectionString, FreePort.Next(), new Dictionary<string, string>());
        var (account, service) = (Guid.NewGuid(), Guid.NewGuid());
        await TestServices.AddAsync(postgres.ConnectionString, account, service, $"svc-{service:N}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{delivery.HttpPort}") };
        var admin = new Caller(account, Roles.Customer, Guid.NewGuid(), TeamRoles.Admin, "ann@acme.example");
        var reader = new Caller(account, Roles.Customer, Guid.NewGuid(), TeamRoles.ReadOnly, "rita@acme.example");
        var billing = new Caller(account, Roles.Customer, Guid.NewGuid(), TeamRoles.Billing, "bob@acme.example");
        var path = $"/api/services/{service}/smtp-credentials";

        using (var created = await DeliveryApi.SendAsMemberAsync(http, HttpMethod.Post, path, admin, new { name = "CRM" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        foreach (var member in new[] { reader, billing })
        {
            using var refused = await DeliveryApi.SendAsMemberAsync(http, HttpMethod.Post, path, member, new { name = "sneaky" });
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            using var rotate = await DeliveryApi.SendAsMemberAsync(http, HttpMethod.Post, $"/api/services/{service}/smtp-password", member);
            Assert.Equal(HttpStatusCode.Forbidden, rotate.StatusCode);
            using var read = await DeliveryApi.SendAsMemberAsync(http, HttpMethod.Get, path, member);
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }
        // The account's own login, from a token made before teams, stays "customer".
        await DeliveryApi.JsonAsync(http, HttpMethod.Post, $"/api/services/{service}/smtp-password", account);

        using var auditResponse = await DeliveryApi.SendAsMemberAsync(http, HttpMethod.Get, $"/api/services/{service}/audit", reader);
        var audit = (await auditResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()
            .Select(e => $"{e.GetProperty("area").GetString()} {e.GetProperty("action").GetString()} by {e.GetProperty("by").GetString()}");
        Assert.Equal(["smtp-password rotated by customer", "smtp-credential created by ann@acme.example"], audit);
    }
}
