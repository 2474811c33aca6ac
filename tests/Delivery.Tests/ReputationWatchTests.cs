using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Npgsql;
using ProMTA.Delivery.Reputation;
using ProMTA.FakeIsp;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Security;
using ProMTA.TestKit;
using Xunit;
using ProMTA.ServiceDefaults.Reputation;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// The reputation watch (issue 20) against Delivery.dll, a real PowerDNS serving test blocklists and fake ISPs: a
/// listed IP stops sending to the providers that use the list while other providers keep their mail; a service with
/// another IP sends from it instead; the listing is visible and announced; when the list drops the IP, held mail goes.
/// </summary>
public sealed class ReputationWatchTests(PostgresFixture postgres, PowerDnsFixture dns) : IClassFixture<PostgresFixture>, IClassFixture<PowerDnsFixture>
{
    private const string ListedIp = "127.0.1.21";
    private const string CleanIp = "127.0.1.22";

    [Theory]
    [InlineData("127.0.0.2", "ip", "2.0.0.127.bl.test")]
    [InlineData("2001:db8::1", "ip", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test")]
    [InlineData("example.com", "domain", "example.com.bl.test")]
    [InlineData("example.com", "ip", null)]
    [InlineData("127.0.0.2", "domain", null)]
    public void Subjects_are_asked_as_rfc_5782_says(string subject, string kind, string? expected) =>
        Assert.Equal(expected, BlocklistLookup.QueryName(subject, new BlocklistZone { Zone = "bl.test.", Kind = kind }));

    [Fact]
    public async Task A_listed_ip_stops_sending_to_the_lists_providers_until_it_is_delisted()
    {
        using (var api = dns.NewApiClient())
        {
            await ZoneAsync(api, "bl.test.",
                Record("21.1.0.127.bl.test.", "A", "127.0.0.2"), Record("21.1.0.127.bl.test.", "TXT", "\"Listed for testing\""),
                // Spamhaus' "query refused" answer for the clean IP: neither a listing nor a delisting.
                Record("22.1.0.127.bl.test.", "A", "127.255.255.254"));
            await ZoneAsync(api, "dbl.test.", Record($"{RelayHost.OwnDomain}.dbl.test.", "A", "127.0.1.2"));
        }
        var (gmailPort, yahooPort) = (FreePort.Next(), FreePort.Next());
        await using var gmail = new FakeMx(new FakeProviderOptions { Name = "Gmail", Domain = "gmail.test" }, gmailPort);
        await using var yahoo = new FakeMx(new FakeProviderOptions { Name = "Yahoo", Domain = "yahoo.test" }, yahooPort);
        gmail.Start();
        yahoo.Start();
        var relayPort = FreePort.Next();
        await using var delivery = await DeliveryProcess.StartAsync(postgres.ConnectionString, relayPort, new Dictionary<string, string>
        {
            ["Relay:AllowPlainAuth"] = "true",
            ["Delivery:Resolvers:0"] = dns.DnsEndpoint.ToString(),
            ["Delivery:Routes:gmail.test"] = $"127.0.0.1:{gmailPort}",
            ["Delivery:Routes:yahoo.test"] = $"127.0.0.1:{yahooPort}",
            ["Delivery:PollInterval"] = "00:00:00.200",
            ["Reputation:Interval"] = "00:00:01",
            ["Reputation:Blocklists:0:Zone"] = "bl.test",
            ["Reputation:Blocklists:0:Kind"] = "ip",
            ["Reputation:Blocklists:0:Providers:0"] = "Gmail",
            ["Reputation:Blocklists:1:Zone"] = "dbl.test",
            ["Reputation:Blocklists:1:Kind"] = "domain",
        });
        var (customer, listedOnly, withSpare) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var (listedUser, spareUser) = ($"svc-{listedOnly:N}", $"svc-{withSpare:N}");
        await TestServices.AddAsync(postgres.ConnectionString, customer, listedOnly, sourceIps: [ListedIp]);
        await TestServices.AddAsync(postgres.ConnectionString, customer, withSpare, sourceIps: [ListedIp, CleanIp]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{delivery.HttpPort}") };
        var reputation = $"/api/services/{listedOnly}/reputation";

        JsonElement view = default;
        await RelayHost.EventuallyAsync(async () =>
        {
            view = await DeliveryApi.JsonAsync(http, HttpMethod.Get, reputation, customer);
            return view.GetProperty("listed").GetArrayLength() == 2;
        }, TimeSpan.FromSeconds(30));
        var ipListing = view.GetProperty("listed").EnumerateArray().Single(l => l.GetProperty("kind").GetString() == "ip");
        Assert.Equal((ListedIp, "bl.test", "127.0.0.2: Listed for testing"),
            (ipListing.GetProperty("subject").GetString(), ipListing.GetProperty("zone").GetString(), ipListing.GetProperty("answer").GetString()));
        Assert.Contains(view.GetProperty("listed").EnumerateArray(), l => l.GetProperty("subject").GetString() == RelayHost.OwnDomain && l.GetProperty("zone").GetString() == "dbl.test");
        await using var db = new NpgsqlConnection(postgres.ConnectionString);
        Assert.Equal(0, await db.QuerySingleAsync<int>("SELECT count(*) FROM delivery.blocklist_listings WHERE subject = @CleanIp", new { CleanIp }));

        // Only service: Gmail's mail waits (the list is Gmail's), Yahoo's goes. With a spare IP, Gmail's mail leaves from it.
        await TestServices.SubmitAsync(relayPort, listedUser, RelayHost.Password, "ann@gmail.test", "bob@yahoo.test");
        await TestServices.SubmitAsync(relayPort, spareUser, RelayHost.Password, "cat@gmail.test");
        await RelayHost.EventuallyAsync(() => Task.FromResult(yahoo.Received.Count == 1 && gmail.Received.Count == 1), TimeSpan.FromSeconds(30));
        Assert.Equal(ListedIp, Assert.Single(yahoo.Received).ClientIp);
        var fromSpare = Assert.Single(gmail.Received);
        Assert.Equal((CleanIp, "cat@gmail.test"), (fromSpare.ClientIp, fromSpare.To.Single()));
        await RelayHost.EventuallyAsync(async () => (await db.QuerySingleOrDefaultAsync<string>(
            "SELECT last_reply FROM delivery.recipients WHERE address = 'ann@gmail.test'"))?.StartsWith($"held: {ListedIp} listed by bl.test") == true);

        // The panel: the listed IP names its list, and the mail it delivered to Yahoo counts in its trend.
        await RelayHost.EventuallyAsync(async () =>
        {
            var panel = (await DeliveryApi.JsonAsync(http, HttpMethod.Get, reputation, customer)).GetProperty("addresses").EnumerateArray().Single();
            return panel.GetProperty("ip").GetString() == ListedIp && panel.GetProperty("listedBy").EnumerateArray().Single().GetString() == "bl.test"
                && panel.GetProperty("totals").GetProperty("delivered").GetInt64() == 1;
        });
        var domainPanel = (await DeliveryApi.JsonAsync(http, HttpMethod.Get, reputation, customer)).GetProperty("domains").EnumerateArray()
            .Single(d => d.GetProperty("domain").GetString() == RelayHost.OwnDomain);
        Assert.Equal("dbl.test", domainPanel.GetProperty("listedBy").EnumerateArray().Single().GetString());

        var waiting = await DeliveryApi.JsonAsync(http, HttpMethod.Get, $"/api/services/{listedOnly}/messages?recipient=ann@gmail.test", customer);
        Assert.StartsWith("Waiting: every IP of this service is on a blocklist",
            waiting.GetProperty("items")[0].GetProperty("recipients")[0].GetProperty("waiting").GetProperty("reason").GetString());

        // Announced once per listing (Billing tells the customer), however many cycles saw it: the second service's two
        // listings may come a cycle later (CI once counted 2 here), then three more cycles (Interval 1 s) add nothing.
        Task<int> AnnouncedAsync() => db.QuerySingleAsync<int>("SELECT count(*) FROM delivery.outbox_messages WHERE message_type LIKE '%BlocklistListed'");
        await RelayHost.EventuallyAsync(async () => await AnnouncedAsync() >= 4, TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(4, await AnnouncedAsync());

        // Others: not found. An operator: any service.
        using (var stranger = await DeliveryApi.SendAsync(http, HttpMethod.Get, reputation, Guid.NewGuid()))
            Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
        using (var staff = await DeliveryApi.SendAsync(http, HttpMethod.Get, reputation, Guid.NewGuid(), role: Roles.Operator))
            Assert.Equal(HttpStatusCode.OK, staff.StatusCode);

        // Delisted: the listing closes and the held mail leaves from its own IP.
        using (var api = dns.NewApiClient())
        {
            using var removed = await api.PatchAsJsonAsync("api/v1/servers/localhost/zones/bl.test.", new
            {
                rrsets = new[] { new { name = "21.1.0.127.bl.test.", type = "A", changetype = "DELETE" }, new { name = "21.1.0.127.bl.test.", type = "TXT", changetype = "DELETE" } },
            });
            removed.EnsureSuccessStatusCode();
        }
        await RelayHost.EventuallyAsync(async () =>
            (await DeliveryApi.JsonAsync(http, HttpMethod.Get, reputation, customer)).GetProperty("listed").GetArrayLength() == 1, TimeSpan.FromSeconds(30));
        var closed = (await DeliveryApi.JsonAsync(http, HttpMethod.Get, reputation, customer)).GetProperty("history").EnumerateArray()
            .Single(l => l.GetProperty("kind").GetString() == "ip");
        Assert.NotEqual(JsonValueKind.Null, closed.GetProperty("delistedAt").ValueKind);
        // Held until the next cycle after the delisting (Reputation:Interval), then sent from the listed-no-more IP.
        await RelayHost.EventuallyAsync(() => Task.FromResult(gmail.Received.Count == 2), TimeSpan.FromSeconds(30));
        Assert.Equal(ListedIp, gmail.Received.Single(m => m.To.Contains("ann@gmail.test")).ClientIp);
    }

    private static object Record(string name, string type, string content) =>
        new { name, type, ttl = 1, changetype = "REPLACE", records = new[] { new { content, disabled = false } } };

    private static async Task ZoneAsync(HttpClient api, string zone, params object[] rrsets)
    {
        using var created = await api.PostAsJsonAsync("api/v1/servers/localhost/zones", new { name = zone, kind = "Native", nameservers = new[] { "ns1.promta.local." } });
        using var patched = await api.PatchAsJsonAsync($"api/v1/servers/localhost/zones/{zone}", new { rrsets });
        patched.EnsureSuccessStatusCode();
    }
}
