using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using MailKit.Net.Smtp;
using MailKit.Security;
using Npgsql;
using ProMTA.FakeIsp;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Security;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// Find one message (issue 16), against Delivery.dll as it runs: a greylisting MX gives a recipient a real trail
/// (accepted, deferred with the reply and source IP, delivered), a closed MX leaves one waiting with the reason, and
/// the search answers by queue id or recipient to the owner and operators only.
/// </summary>
public sealed class MessagesApiTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task The_owner_finds_a_message_by_queue_id_or_recipient_with_every_attempt_and_why_queued_mail_waits()
    {
        var mxPort = FreePort.Next();
        await using var mx = new FakeMx(new FakeProviderOptions { Name = "Gmail", Domain = "gmail.test", GreylistAttempts = 1 }, mxPort);
        mx.Start();
        var relayPort = FreePort.Next();
        await using var delivery = await DeliveryProcess.StartAsync(postgres.ConnectionString, relayPort, new Dictionary<string, string>
        {
            ["Relay:AllowPlainAuth"] = "true",
            ["Delivery:Routes:gmail.test"] = $"127.0.0.1:{mxPort}",
            // Nothing listens there: every attempt fails to connect and the recipient stays queued.
            ["Delivery:Routes:closed.test"] = $"127.0.0.1:{FreePort.Next()}",
            ["Delivery:PollInterval"] = "00:00:00.200",
            ["Delivery:RetryInitial"] = "00:00:00.500",
            ["Delivery:RetryMax"] = "00:00:01",
        });
        var (customer, service, username) = (Guid.NewGuid(), Guid.NewGuid(), $"svc-{Guid.NewGuid():N}");
        await TestServices.AddAsync(postgres.ConnectionString, customer, service, username);

        string queuedAs;
        using (var client = new SmtpClient())
        {
            await client.ConnectAsync("127.0.0.1", relayPort, SecureSocketOptions.None);
            await client.AuthenticateAsync(username, RelayHost.Password);
            var trail = RelayHost.Message("Reader@gmail.test", "Trail");
            trail.MessageId = $"trail-{service:N}@customer.test";
            var reply = await client.SendAsync(trail);
            queuedAs = reply[(reply.IndexOf("queued as ", StringComparison.Ordinal) + "queued as ".Length)..].Trim();
            await client.SendAsync(RelayHost.Message("nobody@closed.test", "Waits"));
            await client.DisconnectAsync(true);
        }
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await RelayHost.EventuallyAsync(async () => await connection.QuerySingleAsync<long>("""
            SELECT count(*) FROM delivery.recipients WHERE service_id = @service
              AND (status = 'Delivered' OR (address = 'nobody@closed.test' AND deferrals > 0))
            """, new { service }) == 2, TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{delivery.HttpPort}") };

        // By queue id: accepted, the greylisting 451 with the IP it came from, then delivered.
        var byId = await DeliveryApi.JsonAsync(http, HttpMethod.Get, $"/api/services/{service}/messages?messageId={queuedAs}", customer);
        var message = Assert.Single(byId.GetProperty("items").EnumerateArray());
        Assert.Equal(queuedAs, message.GetProperty("messageId").GetString());
        var recipient = Assert.Single(message.GetProperty("recipients").EnumerateArray());
        Assert.Equal(("Reader@gmail.test", "Delivered"), (recipient.GetProperty("address").GetString(), recipient.GetProperty("status").GetString()));
        Assert.Equal(JsonValueKind.Null, recipient.GetProperty("waiting").ValueKind);
        var events = recipient.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["accepted", "deferred", "delivered"], events.Select(e => e.GetProperty("event").GetString()));
        Assert.StartsWith("451", events[1].GetProperty("reply").GetString());
        Assert.Equal("127.0.0.1", events[1].GetProperty("sourceIp").GetString());

        // By recipient, in any case: only that recipient's message. The same id with dashes finds it too.
        var byRecipient = await DeliveryApi.JsonAsync(http, HttpMethod.Get, $"/api/services/{service}/messages?recipient=READER@GMAIL.TEST", customer);
        Assert.Equal(queuedAs, Assert.Single(byRecipient.GetProperty("items").EnumerateArray()).GetProperty("messageId").GetString());
        var dashed = await DeliveryApi.JsonAsync(http, HttpMethod.Get, $"/api/services/{service}/messages?messageId={Guid.Parse(queuedAs)}", customer);
        Assert.Single(dashed.GetProperty("items").EnumerateArray());

        // By the Message-ID header the customer's software made, with or without angle brackets; only in this service.
        foreach (var headerId in new[] { $"<trail-{service:N}@customer.test>", $"trail-{service:N}@customer.test" })
        {
            var byHeader = await DeliveryApi.JsonAsync(http, HttpMethod.Get, $"/api/services/{service}/messages?messageId={Uri.EscapeDataString(headerId)}", customer);
            var found = Assert.Single(byHeader.GetProperty("items").EnumerateArray());
            Assert.Equal((queuedAs, $"trail-{service:N}@customer.test"), (found.GetProperty("messageId").GetString(), found.GetProperty("headerMessageId").GetString()));
        }
        var unknownHeader = await DeliveryApi.JsonAsync(http, HttpMethod.Get, $"/api/services/{service}/messages?messageId={Uri.EscapeDataString("<nothing@customer.test>")}", customer);
        Assert.Empty(unknownHeader.GetProperty("items").EnumerateArray());

        // Mail that waits says why, and until when.
        var waiting = await DeliveryApi.JsonAsync(http, HttpMethod.Get, $"/api/services/{service}/messages?recipient=nobody@closed.test", customer);
        var queued = Assert.Single(Assert.Single(waiting.GetProperty("items").EnumerateArray()).GetProperty("recipients").EnumerateArray());
        Assert.Equal("Queued", queued.GetProperty("status").GetString());
        Assert.False(string.IsNullOrWhiteSpace(queued.GetProperty("waiting").GetProperty("reason").GetString()));
        Assert.Contains(queued.GetProperty("events").EnumerateArray(), e => e.GetProperty("event").GetString() == "deferred");

        // A window without the messages, and paging: nothing, and no next page.
        var old = await DeliveryApi.JsonAsync(http, HttpMethod.Get, $"/api/services/{service}/messages?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z", customer);
        Assert.Empty(old.GetProperty("items").EnumerateArray());
        var all = await DeliveryApi.JsonAsync(http, HttpMethod.Get, $"/api/services/{service}/messages?pageSize=1", customer);
        Assert.True(all.GetProperty("hasMore").GetBoolean());

        // Another customer: not found. An operator: any service.
        using (var stranger = await DeliveryApi.SendAsync(http, HttpMethod.Get, $"/api/services/{service}/messages", Guid.NewGuid()))
            Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
        using (var asOperator = await DeliveryApi.SendAsync(http, HttpMethod.Get, $"/api/services/{service}/messages?messageId={queuedAs}", Guid.NewGuid(), role: Roles.Operator))
            Assert.Equal(HttpStatusCode.OK, asOperator.StatusCode);

        // Bad input: 400 naming the field, for the owner and before any lookup.
        foreach (var (query, field) in new[]
        {
            ("messageId=%3C%3E", "messageId"), ("messageId=a%00b@example.test", "messageId"), ($"messageId={new string('x', 999)}", "messageId"), ("recipient=no-at-sign", "recipient"),
            ("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to"), ("from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from"),
        })
        {
            using var bad = await DeliveryApi.SendAsync(http, HttpMethod.Get, $"/api/services/{service}/messages?{query}", customer);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains(field, (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p => p.Name));
        }
        using (var notADate = await DeliveryApi.SendAsync(http, HttpMethod.Get, $"/api/services/{service}/messages?from=yesterday", customer))
            Assert.Equal(HttpStatusCode.BadRequest, notADate.StatusCode);
    }
}
