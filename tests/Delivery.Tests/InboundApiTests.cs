using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using MailKit.Net.Smtp;
using MailKit.Security;
using Npgsql;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// Delivery.dll as it runs (its own process, HTTP API and inbound MX): a customer points a hosted domain's ordinary mail
/// at an address, nobody else can, and staff list what arrived. Callers are authenticated by the gateway's signed header.
/// </summary>
public sealed class InboundApiTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_customer_sets_forwarding_for_their_domain_and_the_next_reply_is_queued_to_that_address()
    {
        var inboundPort = FreePort.Next();
        await using var delivery = await DeliveryProcess.StartAsync(postgres.ConnectionString, FreePort.Next(),
            new Dictionary<string, string> { ["Inbound:Port"] = inboundPort.ToString() });
        var (customer, service) = (Guid.NewGuid(), Guid.NewGuid());
        var (otherCustomer, otherService) = (Guid.NewGuid(), Guid.NewGuid());
        await TestServices.AddAsync(postgres.ConnectionString, customer, service, domain: "alpha.test", sourceIp: "127.0.1.9");
        await TestServices.AddAsync(postgres.ConnectionString, otherCustomer, otherService, domain: "beta.test", sourceIp: "127.0.1.9");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{delivery.HttpPort}") };

        using var set = await DeliveryApi.SendAsync(http, HttpMethod.Put, $"/api/services/{service}/domains/Alpha.test/forwarding", customer, new { address = "owner@gmail.test" });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var body = await set.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("alpha.test", "owner@gmail.test"), (body.GetProperty("domain").GetString(), body.GetProperty("address").GetString()));

        // Another customer's service, or a domain this service does not host: not found, as if it did not exist.
        using (var foreign = await DeliveryApi.SendAsync(http, HttpMethod.Put, $"/api/services/{service}/domains/alpha.test/forwarding", otherCustomer, new { address = "thief@gmail.test" }))
            Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        using (var notHosted = await DeliveryApi.SendAsync(http, HttpMethod.Put, $"/api/services/{service}/domains/beta.test/forwarding", customer, new { address = "owner@gmail.test" }))
            Assert.Equal(HttpStatusCode.NotFound, notHosted.StatusCode);
        using (var invalid = await DeliveryApi.SendAsync(http, HttpMethod.Put, $"/api/services/{service}/domains/alpha.test/forwarding", customer, new { address = "not an address" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
            Assert.Contains("address", (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p => p.Name));
        }

        using (var client = new SmtpClient())
        {
            await client.ConnectAsync("127.0.0.1", inboundPort, SecureSocketOptions.None);
            await client.SendAsync(RelayHost.Message("hello@alpha.test", "A reply"));
            await client.DisconnectAsync(true);
        }

        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        var forward = await connection.QuerySingleAsync<(string MailFrom, string Address)>("""
            SELECT m.mail_from, r.address FROM delivery.inbound_messages i
            JOIN delivery.messages m ON m.id = i.forward_message_id JOIN delivery.recipients r ON r.message_id = m.id
            WHERE i.service_id = @service
            """, new { service });
        Assert.Equal(("postmaster@alpha.test", "owner@gmail.test"), forward);

        using var remove = await DeliveryApi.SendAsync(http, HttpMethod.Delete, $"/api/services/{service}/domains/alpha.test/forwarding", customer);
        Assert.Equal(HttpStatusCode.NoContent, remove.StatusCode);
        using var removeAgain = await DeliveryApi.SendAsync(http, HttpMethod.Delete, $"/api/services/{service}/domains/alpha.test/forwarding", customer);
        Assert.Equal(HttpStatusCode.NotFound, removeAgain.StatusCode);

        // Staff see what arrived; customers cannot list it.
        using var asCustomer = await DeliveryApi.SendAsync(http, HttpMethod.Get, "/api/admin/inbound", customer);
        Assert.Equal(HttpStatusCode.Forbidden, asCustomer.StatusCode);
        using var asOperator = await DeliveryApi.SendAsync(http, HttpMethod.Get, $"/api/admin/inbound?kind=mail&serviceId={service}", Guid.NewGuid(), role: Roles.Operator);
        Assert.Equal(HttpStatusCode.OK, asOperator.StatusCode);
        var list = await asOperator.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, list.GetProperty("total").GetInt64());
        var item = list.GetProperty("items")[0];
        Assert.Equal(("mail", "A reply", "owner@gmail.test"),
            (item.GetProperty("kind").GetString(), item.GetProperty("subject").GetString(), item.GetProperty("forwardedTo").GetString()));
        using var badKind = await DeliveryApi.SendAsync(http, HttpMethod.Get, "/api/admin/inbound?kind=spam", Guid.NewGuid(), role: Roles.Operator);
        Assert.Equal(HttpStatusCode.BadRequest, badKind.StatusCode);
    }
}
