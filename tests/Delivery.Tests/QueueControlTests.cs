using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Npgsql;
using ProMTA.FakeIsp;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Security;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// Queue control (issue 20), against Delivery.dll as it runs and real fake ISPs: a paused lane's mail is never
/// offered while other lanes flow, the view counts it by provider, domain, age and state, resuming sends it; a purge
/// counts first (dry run) and removes only what the filter names; a requeue sends deferred mail now; staff holds are
/// the staff's; every change is in the audit log; strangers get 404 and bad input 400 naming the field.
/// </summary>
public sealed class QueueControlTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_customer_pauses_inspects_resumes_purges_and_requeues_their_queue()
    {
        var (gmailPort, yahooPort, laterPort) = (FreePort.Next(), FreePort.Next(), FreePort.Next());
        await using var gmail = new FakeMx(new FakeProviderOptions { Name = "Gmail", Domain = "gmail.test" }, gmailPort);
        await using var yahoo = new FakeMx(new FakeProviderOptions { Name = "Yahoo", Domain = "yahoo.test" }, yahooPort);
        gmail.Start();
        yahoo.Start();
        var relayPort = FreePort.Next();
        await using var delivery = await DeliveryProcess.StartAsync(postgres.ConnectionString, relayPort, new Dictionary<string, string>
        {
            ["Relay:AllowPlainAuth"] = "true",
            ["Delivery:Routes:gmail.test"] = $"127.0.0.1:{gmailPort}",
            ["Delivery:Routes:yahoo.test"] = $"127.0.0.1:{yahooPort}",
            // Nothing listens there until the test starts an MX: the first attempt is deferred for an hour.
            ["Delivery:Routes:later.test"] = $"127.0.0.1:{laterPort}",
            ["Delivery:PollInterval"] = "00:00:00.200",
            ["Delivery:RetryInitial"] = "01:00:00",
            ["Delivery:RetryMax"] = "01:00:00",
        });
        var (customer, service, username) = (Guid.NewGuid(), Guid.NewGuid(), $"svc-{Guid.NewGuid():N}");
        await TestServices.AddAsync(postgres.ConnectionString, customer, service, username);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{delivery.HttpPort}") };
        var queue = $"/api/services/{service}/queue";
        await using var db = new NpgsqlConnection(postgres.ConnectionString);

        // Gmail paused before the mail comes: its recipient is parked and never claimed, Yahoo's goes out.
        var paused = await DeliveryApi.JsonAsync(http, HttpMethod.Post, $"{queue}/pause", customer, new { provider = "Gmail" });
        Assert.True(paused.GetProperty("changed").GetBoolean());
        Assert.False((await DeliveryApi.JsonAsync(http, HttpMethod.Post, $"{queue}/pause", customer, new { provider = "Gmail" })).GetProperty("changed").GetBoolean());
        await TestServices.SubmitAsync(relayPort, username, RelayHost.Password, "ann@gmail.test", "bob@yahoo.test");
        await RelayHost.EventuallyAsync(() => Task.FromResult(yahoo.Received.Count == 1));
        // The fake MX has the message before the worker has recorded its 250: the queue view counts it once it has.
        await RelayHost.EventuallyAsync(async () => await db.QuerySingleAsync<string>(
            "SELECT status FROM delivery.recipients WHERE service_id = @service AND address = 'bob@yahoo.test'", new { service }) == "Delivered");
        Assert.Equal((true, (DateTime?)null), await db.QuerySingleAsync<(bool, DateTime?)>(
            "SELECT held, last_attempt_at FROM delivery.recipients WHERE service_id = @service AND address = 'ann@gmail.test'", new { service }));
        Assert.Empty(gmail.Received);

        var view = await DeliveryApi.JsonAsync(http, HttpMethod.Get, queue, customer);
        Assert.Equal("Gmail", Assert.Single(view.GetProperty("holds").EnumerateArray()).GetProperty("provider").GetString());
        var gmailLane = Assert.Single(view.GetProperty("providers").EnumerateArray());
        Assert.Equal(("Gmail", 1, 1), (gmailLane.GetProperty("provider").GetString(), gmailLane.GetProperty("queued").GetInt32(), gmailLane.GetProperty("held").GetInt32()));
        Assert.Equal("gmail.test", Assert.Single(view.GetProperty("domains").EnumerateArray()).GetProperty("domain").GetString());
        Assert.Equal(1, view.GetProperty("ages")[0].GetProperty("queued").GetInt32());

        // The message search says why it waits.
        var trail = await DeliveryApi.JsonAsync(http, HttpMethod.Get, $"/api/services/{service}/messages?recipient=ann@gmail.test", customer);
        Assert.StartsWith("Paused: mail to Gmail", trail.GetProperty("items")[0].GetProperty("recipients")[0].GetProperty("waiting").GetProperty("reason").GetString());

        // An operator's hold on the whole service is the staff's to lift; the customer is told so.
        using (var held = await DeliveryApi.SendAsync(http, HttpMethod.Post, $"{queue}/pause", Guid.NewGuid(), new { }, Roles.Operator))
            Assert.True((await held.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("changed").GetBoolean());
        using (var refused = await DeliveryApi.SendAsync(http, HttpMethod.Post, $"{queue}/resume", customer, new { }))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using (var lifted = await DeliveryApi.SendAsync(http, HttpMethod.Post, $"{queue}/resume", Guid.NewGuid(), new { }, Roles.Operator))
            Assert.Equal(HttpStatusCode.OK, lifted.StatusCode);

        // Resumed: the parked recipient goes out.
        var resumed = await DeliveryApi.JsonAsync(http, HttpMethod.Post, $"{queue}/resume", customer, new { provider = "Gmail" });
        Assert.Equal(1, resumed.GetProperty("recipients").GetInt32());
        await RelayHost.EventuallyAsync(() => Task.FromResult(gmail.Received.Count == 1));

        // A purge: counted first, then only what the filter names goes, as its own event; nothing reaches the ISP.
        await DeliveryApi.JsonAsync(http, HttpMethod.Post, $"{queue}/pause", customer, new { provider = "Yahoo" });
        await TestServices.SubmitAsync(relayPort, username, RelayHost.Password, "carl@yahoo.test", "dora@yahoo.test");
        var dry = await DeliveryApi.JsonAsync(http, HttpMethod.Post, $"{queue}/purge", customer, new { provider = "Yahoo", domain = "YAHOO.test", dryRun = true });
        Assert.Equal((2, 0), (dry.GetProperty("matched").GetInt32(), dry.GetProperty("purged").GetInt32()));
        Assert.Equal(2, await db.QuerySingleAsync<int>("SELECT count(*) FROM delivery.recipients WHERE service_id = @service AND status = 'Queued'", new { service }));
        var purged = await DeliveryApi.JsonAsync(http, HttpMethod.Post, $"{queue}/purge", customer, new { domain = "yahoo.test" });
        Assert.Equal(2, purged.GetProperty("purged").GetInt32());
        Assert.Equal(["purged", "purged"], await db.QueryAsync<string>(
            "SELECT e.event FROM delivery.delivery_events e JOIN delivery.recipients r ON r.id = e.recipient_id WHERE r.service_id = @service AND r.status = 'Purged' AND e.event <> 'accepted'",
            new { service }));
        await DeliveryApi.JsonAsync(http, HttpMethod.Post, $"{queue}/resume", customer, new { provider = "Yahoo" });
        Assert.Single(yahoo.Received);

        // Requeue: a recipient deferred for an hour goes now that its MX is up.
        await TestServices.SubmitAsync(relayPort, username, RelayHost.Password, "eve@later.test");
        await RelayHost.EventuallyAsync(async () => await db.QuerySingleAsync<int>(
            "SELECT deferrals FROM delivery.recipients WHERE service_id = @service AND address = 'eve@later.test'", new { service }) > 0, TimeSpan.FromSeconds(60));
        await using var later = new FakeMx(new FakeProviderOptions { Name = "Later", Domain = "later.test" }, laterPort);
        later.Start();
        var requeued = await DeliveryApi.JsonAsync(http, HttpMethod.Post, $"{queue}/requeue", customer, new { domain = "later.test" });
        Assert.Equal(1, requeued.GetProperty("requeued").GetInt32());
        await RelayHost.EventuallyAsync(() => Task.FromResult(later.Received.Count == 1), TimeSpan.FromSeconds(60));

        // The audit log, newest first, with who did it.
        var actions = (await DeliveryApi.JsonAsync(http, HttpMethod.Get, queue, customer)).GetProperty("recentActions").EnumerateArray().ToList();
        Assert.Equal(["requeue", "resume", "purge", "pause", "resume", "resume", "pause", "pause"], actions.Select(a => a.GetProperty("action").GetString()));
        Assert.Equal($"customer:{customer}", actions[0].GetProperty("actor").GetString());
        Assert.StartsWith("operator:", actions[5].GetProperty("actor").GetString());
        Assert.Equal(2, actions[2].GetProperty("affected").GetInt32());

        // Strangers: nothing, and nothing changes. Bad input: 400 naming the field.
        var stranger = Guid.NewGuid();
        foreach (var (method, path) in new[] { (HttpMethod.Get, queue), (HttpMethod.Post, $"{queue}/pause"), (HttpMethod.Post, $"{queue}/purge") })
        {
            using var response = await DeliveryApi.SendAsync(http, method, path, stranger, method == HttpMethod.Get ? null : new { all = true });
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        foreach (var (path, body, field) in new (string, object, string)[]
        {
            ($"{queue}/pause", new { provider = "Hotmail" }, "provider"),
            ($"{queue}/purge", new { }, "all"),
            ($"{queue}/purge", new { domain = "a b" }, "domain"),
            ($"{queue}/purge", new { domain = "a\u0000b" }, "domain"),
            ($"{queue}/purge", new { sender = "x\u0001@y" }, "sender"),
            ($"{queue}/purge", new { olderThanMinutes = -1 }, "olderThanMinutes"),
            ($"{queue}/purge", new { messageId = "not-an-id" }, "messageId"),
            ($"{queue}/requeue", new { provider = "AOL" }, "provider"),
        })
        {
            using var response = await DeliveryApi.SendAsync(http, HttpMethod.Post, path, customer, body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(field, await DeliveryApi.ErrorFieldsAsync(response));
        }
        Assert.Equal(0, await db.QuerySingleAsync<int>("SELECT count(*) FROM delivery.queue_holds WHERE service_id = @service", new { service }));
    }
}
