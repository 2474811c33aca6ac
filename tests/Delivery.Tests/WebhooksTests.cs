using System.Net;
using System.Text.Json;
using Dapper;
using MailKit.Net.Smtp;
using MailKit.Security;
using Npgsql;
using ProMTA.FakeIsp;
using ProMTA.ServiceDefaults.Security;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// Webhooks (issue 16), against Delivery.dll as it runs and a receiver on a real socket: signed batches, in order, at
/// least once across the receiver being down, a rotated secret, a replay, parking after the retry window, and URLs
/// that would point us into the hosting network refused.
/// </summary>
public sealed class WebhooksTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Events_reach_a_signed_endpoint_in_order_and_none_is_lost_while_it_is_down()
    {
        var mxPort = FreePort.Next();
        await using var mx = new FakeMx(new FakeProviderOptions { Name = "Gmail", Domain = "gmail.test" }, mxPort);
        mx.Start();
        var relayPort = FreePort.Next();
        await using var delivery = await DeliveryProcess.StartAsync(postgres.ConnectionString, relayPort, Settings(mxPort, ("Webhooks:AllowInternalEndpoints", "true")));
        using var receiver = new WebhookReceiver { Answer = HttpStatusCode.ServiceUnavailable };
        var (customer, service, username) = (Guid.NewGuid(), Guid.NewGuid(), $"svc-{Guid.NewGuid():N}");
        await TestServices.AddAsync(postgres.ConnectionString, customer, service, username);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{delivery.HttpPort}") };
        var hooks = $"/api/services/{service}/webhooks";

        // Bad input names the field; another customer finds nothing.
        using (var bad = await DeliveryApi.SendAsync(http, HttpMethod.Post, hooks, customer, new { url = "ftp://example.test/x", eventTypes = new[] { "opened" } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal(["eventTypes", "url"], (await DeliveryApi.ErrorFieldsAsync(bad)).Order());
        }
        using (var stranger = await DeliveryApi.SendAsync(http, HttpMethod.Post, hooks, Guid.NewGuid(), new { url = receiver.Url, eventTypes = new[] { "delivered" } }))
            Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);

        var created = await DeliveryApi.JsonAsync(http, HttpMethod.Post, hooks, customer, new { url = receiver.Url, eventTypes = new[] { "accepted", "delivered" } });
        var webhookId = created.GetProperty("id").GetGuid();
        var secret = created.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret);
        using (var strangerList = await DeliveryApi.SendAsync(http, HttpMethod.Get, hooks, Guid.NewGuid()))
            Assert.Equal(HttpStatusCode.NotFound, strangerList.StatusCode);

        // Sent while the receiver answers 503: the calls fail, are tried again, and nothing moves on.
        await SendAsync(relayPort, username, ["ada@gmail.test", "bob@gmail.test", "cy@gmail.test"]);
        await RelayHost.EventuallyAsync(async () => (await DeliveryApi.JsonAsync(http, HttpMethod.Get, $"{hooks}/{webhookId}/deliveries", customer))
            .GetProperty("items").EnumerateArray().Count(d => d.GetProperty("status").GetString() == "failed") >= 2, TimeSpan.FromSeconds(60));
        var failing = Assert.Single((await DeliveryApi.JsonAsync(http, HttpMethod.Get, hooks, customer)).EnumerateArray());
        Assert.Contains("503", failing.GetProperty("lastError").GetString());

        // Back up: every accepted and delivered event arrives, each recipient's in the order they happened, all signed.
        receiver.Answer = HttpStatusCode.OK;
        await RelayHost.EventuallyAsync(() => Task.FromResult(receiver.Events(e => !e.Replay).Count(e => e.Type == "delivered") == 3), TimeSpan.FromSeconds(60));
        var live = receiver.Events(e => !e.Replay);
        Assert.Equal(3, live.Count(e => e.Type == "accepted"));
        foreach (var recipient in new[] { "ada@gmail.test", "bob@gmail.test", "cy@gmail.test" })
        {
            Assert.Equal(["accepted", "delivered"], live.Where(e => e.Recipient == recipient).DistinctBy(e => e.Id).Select(e => e.Type));
        }
        Assert.All(receiver.Calls, c => Assert.True(c.Verifies(secret), "every call is signed with the endpoint's secret"));
        // The receiver has the batch before the dispatcher commits its success: the endpoint reads as recovered a moment later.
        await RelayHost.EventuallyAsync(async () =>
        {
            var recovered = (await DeliveryApi.JsonAsync(http, HttpMethod.Get, hooks, customer))[0];
            return (recovered.GetProperty("failingSince").ValueKind, recovered.GetProperty("lastError").ValueKind) == (JsonValueKind.Null, JsonValueKind.Null);
        });

        // A rotated secret signs the next call; the old one no longer does.
        var rotated = (await DeliveryApi.JsonAsync(http, HttpMethod.Post, $"{hooks}/{webhookId}/secret", customer)).GetProperty("secret").GetString()!;
        Assert.NotEqual(secret, rotated);
        var before = receiver.Calls.Count;
        await SendAsync(relayPort, username, ["dee@gmail.test"]);
        await RelayHost.EventuallyAsync(() => Task.FromResult(receiver.Events(e => e.Recipient == "dee@gmail.test").Any(e => e.Type == "delivered")), TimeSpan.FromSeconds(60));
        Assert.All(receiver.Calls.Skip(before), c => Assert.True(c.Verifies(rotated) && !c.Verifies(secret)));

        // A replay of the last hour sends the earlier events again, marked as such.
        using (var replay = await DeliveryApi.SendAsync(http, HttpMethod.Post, $"{hooks}/{webhookId}/replay", customer,
            new { from = DateTimeOffset.UtcNow.AddHours(-1), to = DateTimeOffset.UtcNow.AddMinutes(1) }))
            Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        await RelayHost.EventuallyAsync(() => Task.FromResult(receiver.Events(e => e.Replay).Count(e => e.Type == "delivered") == 4), TimeSpan.FromSeconds(60));
        using (var badReplay = await DeliveryApi.SendAsync(http, HttpMethod.Post, $"{hooks}/{webhookId}/replay", customer, new { from = DateTimeOffset.UtcNow }))
            Assert.Equal(["to"], await DeliveryApi.ErrorFieldsAsync(badReplay));

        using (var removed = await DeliveryApi.SendAsync(http, HttpMethod.Delete, $"{hooks}/{webhookId}", customer))
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Empty((await DeliveryApi.JsonAsync(http, HttpMethod.Get, hooks, customer)).EnumerateArray());
    }

    [Fact]
    public async Task Internal_addresses_are_refused_and_a_batch_that_keeps_failing_is_parked_after_the_retry_window()
    {
        var mxPort = FreePort.Next();
        await using var mx = new FakeMx(new FakeProviderOptions { Name = "Gmail", Domain = "gmail.test" }, mxPort);
        mx.Start();
        var relayPort = FreePort.Next();
        await using var delivery = await DeliveryProcess.StartAsync(postgres.ConnectionString, relayPort, Settings(mxPort, ("Webhooks:RetryWindow", "00:00:01")));
        var (customer, service, username) = (Guid.NewGuid(), Guid.NewGuid(), $"svc-{Guid.NewGuid():N}");
        await TestServices.AddAsync(postgres.ConnectionString, customer, service, username);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{delivery.HttpPort}") };
        var hooks = $"/api/services/{service}/webhooks";

        foreach (var url in new[]
        {
            "http://hooks.example.com/x", "https://127.0.0.1/x", "https://10.1.2.3/x", "https://169.254.169.254/latest", "https://[::1]/x",
            "https://localhost/x", "https://intranet/x", "https://db.internal/x", "https://user:pw@hooks.example.com/x",
        })
        {
            using var refused = await DeliveryApi.SendAsync(http, HttpMethod.Post, hooks, customer, new { url, eventTypes = new[] { "delivered" } });
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{url} was accepted");
            Assert.Equal(["url"], await DeliveryApi.ErrorFieldsAsync(refused));
        }

        // A public name that does not resolve here: every call fails, and after the window the batch is parked.
        var created = await DeliveryApi.JsonAsync(http, HttpMethod.Post, hooks, customer, new { url = "https://hooks.example.com/promta", eventTypes = new[] { "delivered" } });
        var webhookId = created.GetProperty("id").GetGuid();
        await SendAsync(relayPort, username, ["ada@gmail.test"]);
        await RelayHost.EventuallyAsync(async () => (await DeliveryApi.JsonAsync(http, HttpMethod.Get, $"{hooks}/{webhookId}/deliveries", customer))
            .GetProperty("items").EnumerateArray().Any(d => d.GetProperty("status").GetString() == "parked"), TimeSpan.FromSeconds(60));
        var parked = (await DeliveryApi.JsonAsync(http, HttpMethod.Get, $"{hooks}/{webhookId}/deliveries", customer))
            .GetProperty("items").EnumerateArray().First(d => d.GetProperty("status").GetString() == "parked");
        Assert.Equal(1, parked.GetProperty("events").GetInt32());
        Assert.False(string.IsNullOrEmpty(parked.GetProperty("error").GetString()));
        // Parked means the endpoint moved on: it is no longer failing.
        var webhook = Assert.Single((await DeliveryApi.JsonAsync(http, HttpMethod.Get, hooks, customer)).EnumerateArray());
        Assert.Equal(JsonValueKind.Null, webhook.GetProperty("failingSince").ValueKind);
    }

    [Fact]
    public async Task Paced_and_suppressed_events_reach_the_endpoint_once_per_hold_episode_and_per_refusal()
    {
        var mxPort = FreePort.Next();
        await using var mx = new FakeMx(new FakeProviderOptions { Name = "Gmail", Domain = "gmail.test" }, mxPort);
        mx.Start();
        var (customer, service, username) = (Guid.NewGuid(), Guid.NewGuid(), $"svc-{Guid.NewGuid():N}");
        // A source IP of its own whose Gmail lane learned one message a second and is suspended for the first 40 s
        // (restored at start): what the claim takes meanwhile is handed back by our pacing until the suspension ends
        // (a wait in memory of a few seconds, or in the queue unclaimed, is no hold and writes no event).
        const string sourceIp = "127.0.0.7";
        await TestServices.AddAsync(postgres.ConnectionString, customer, service, username, sourceIp: sourceIp);
        await using (var connection = new NpgsqlConnection(postgres.ConnectionString))
        {
            await connection.ExecuteAsync("""
                INSERT INTO delivery.throttle_lanes (source_ip, provider, rate_per_minute, connections, suspended_until, saved_at)
                VALUES (@Ip, 'gmail', 60, 1, now() + interval '40 seconds', now())
                ON CONFLICT (source_ip, provider) DO UPDATE SET rate_per_minute = 60, connections = 1, last_throttled_rate = NULL,
                    suspended_until = now() + interval '40 seconds';
                INSERT INTO delivery.suppressions (service_id, address, reason, detail, created_at) VALUES (@Service, 'zoe@gmail.test', 'Manual', 'test', now());
                """, new { Ip = sourceIp, Service = service });
        }
        var relayPort = FreePort.Next();
        await using var delivery = await DeliveryProcess.StartAsync(postgres.ConnectionString, relayPort, Settings(mxPort, ("Webhooks:AllowInternalEndpoints", "true")));
        using var receiver = new WebhookReceiver();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{delivery.HttpPort}") };
        var hooks = $"/api/services/{service}/webhooks";
        await DeliveryApi.JsonAsync(http, HttpMethod.Post, hooks, customer, new { url = receiver.Url, eventTypes = new[] { "suppressed", "paced", "delivered", "bounced" } });

        // Refused at RCPT because it is on the list: no message was queued, the endpoint still hears of it.
        using (var client = new SmtpClient())
        {
            await client.ConnectAsync("127.0.0.1", relayPort, SecureSocketOptions.None);
            await client.AuthenticateAsync(username, RelayHost.Password);
            var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(RelayHost.Message("zoe@gmail.test")));
            Assert.Equal(SmtpErrorCode.RecipientNotAccepted, refused.ErrorCode);
        }
        var readers = Enumerable.Range(0, 10).Select(i => $"reader{i}@gmail.test").ToArray();
        // unknown-ann does not exist at the fake ISP: the hard bounce puts her on the list, which is an event too.
        await SendAsync(relayPort, username, [.. readers, "unknown-ann@gmail.test"]);

        await RelayHost.EventuallyAsync(() => Task.FromResult(
            receiver.Events(e => e.Type == "delivered").Select(e => e.Recipient).Distinct().Count() == readers.Length
            && receiver.Events(e => e.Type == "suppressed").Count >= 2), TimeSpan.FromSeconds(150));

        var zoe = Assert.Single(receiver.Events(e => e.Recipient == "zoe@gmail.test"));
        Assert.Equal(("suppressed", null), (zoe.Type, zoe.MessageId));
        Assert.StartsWith("550 5.1.1 Recipient suppressed", zoe.Reply);
        Assert.EndsWith("(Manual)", zoe.Reply);
        var ann = receiver.Events(e => e.Recipient == "unknown-ann@gmail.test" && e.Type != "paced").DistinctBy(e => e.Id).ToList();
        Assert.Equal(["bounced", "suppressed"], ann.Select(e => e.Type));
        Assert.NotNull(ann[1].MessageId);
        Assert.StartsWith("HardBounce: 550 5.1.1", ann[1].Reply);

        // Held back: a paced event before the delivery, and one per recipient however many times it was held (the
        // fake ISP never deferred, so each recipient had one hold episode at most).
        var paced = receiver.Events(e => e.Type == "paced").DistinctBy(e => e.Id).ToList();
        Assert.NotEmpty(paced);
        Assert.All(paced.GroupBy(e => e.Recipient), g => Assert.Single(g));
        Assert.All(paced, e => Assert.Contains("gmail lane from 127.0.0.7", e.Reply));
        foreach (var recipient in paced.Select(e => e.Recipient).Intersect(readers))
        {
            Assert.Equal(["paced", "delivered"], receiver.Events(e => e.Recipient == recipient).DistinctBy(e => e.Id).Select(e => e.Type));
        }
    }

    /// <summary>Delivery against one fake MX for gmail.test, fast polls and short webhook retries; <paramref name="extra"/> on top.</summary>
    private static Dictionary<string, string> Settings(int mxPort, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string>
        {
            ["Relay:AllowPlainAuth"] = "true",
            ["Delivery:Routes:gmail.test"] = $"127.0.0.1:{mxPort}",
            ["Delivery:PollInterval"] = "00:00:00.200",
            ["Webhooks:PollInterval"] = "00:00:00.200",
            ["Webhooks:RetryInitial"] = "00:00:00.200",
            ["Webhooks:RetryMax"] = "00:00:00.500",
        };
        foreach (var (key, value) in extra) settings[key] = value;
        return settings;
    }

    private static async Task SendAsync(int relayPort, string username, string[] recipients)
    {
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", relayPort, SecureSocketOptions.None);
        await client.AuthenticateAsync(username, RelayHost.Password);
        foreach (var to in recipients) await client.SendAsync(RelayHost.Message(to, $"For {to}"));
        await client.DisconnectAsync(true);
    }
}
