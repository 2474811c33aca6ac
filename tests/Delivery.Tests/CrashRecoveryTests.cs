using Dapper;
using MailKit.Net.Smtp;
using Npgsql;
using ProMTA.FakeIsp;
using ProMTA.ServiceDefaults.Security;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// Durable acceptance (issue 6): the Delivery process is killed with SIGKILL right after the relay answered 250 to the
/// last of a stream of messages, while earlier ones are still being delivered; after a restart every accepted
/// message reaches the MX (at least once: a message the MX took just before the kill may arrive twice, never zero times).
/// </summary>
public sealed class CrashRecoveryTests(PostgresFixture postgres, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private const int Messages = 250;

    [Fact]
    public async Task Every_message_answered_250_is_delivered_after_the_process_is_killed_and_restarted()
    {
        var mxPort = FreePort.Next();
        await using var mx = new FakeMx(new FakeProviderOptions
        {
            Name = "Gmail", Domain = "gmail.test", Address = "127.0.0.1", DataReplyDelay = TimeSpan.FromMilliseconds(100),
        }, mxPort);
        mx.Start();
        var relayPort = FreePort.Next();
        var settings = new Dictionary<string, string>
        {
            ["Relay:AllowPlainAuth"] = "true",
            ["Delivery:Routes:gmail.test"] = $"127.0.0.1:{mxPort}",
            ["Delivery:PollInterval"] = "00:00:00.200",
            // A slow MX over two connections: delivery trails acceptance, so the kill cuts a stream in mid-flight.
            ["Delivery:MaxConnectionsPerDestination"] = "2",
            // A killed worker's claimed recipients come back when their lease ends: short here, minutes in production.
            ["Delivery:Lease"] = "00:00:03",
            // No message starts in its claim's last second (a send here takes 100 ms): it goes back to the queue instead.
            ["Delivery:LeaseMargin"] = "00:00:01",
        };
        var serviceId = Guid.NewGuid();
        var username = $"svc-{serviceId:N}";

        var accepted = new List<string>();
        await using (var first = await DeliveryProcess.StartAsync(postgres.ConnectionString, relayPort, settings))
        {
            await AddRelayAccountAsync(serviceId, username);
            using var client = new SmtpClient();
            await client.ConnectAsync("127.0.0.1", relayPort, MailKit.Security.SecureSocketOptions.None);
            await client.AuthenticateAsync(username, RelayHost.Password);
            for (var i = 0; i < Messages; i++)
            {
                var subject = $"crash-{i:D3}";
                var reply = await client.SendAsync(RelayHost.Message($"reader{i % 7}@gmail.test", subject));
                Assert.Contains("queued as", reply);
                accepted.Add(subject);
            }
            // Right after the last 250: no shutdown, no flush, deliveries cut mid-way.
            await first.KillAsync();
        }
        var beforeRestart = mx.Received.Select(SubjectOf).Distinct().Count();

        await using var second = await DeliveryProcess.StartAsync(postgres.ConnectionString, relayPort, settings);
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await RelayHost.EventuallyAsync(async () => await connection.QuerySingleAsync<long>(
            "SELECT count(*) FROM delivery.recipients WHERE service_id = @serviceId AND status = 'Delivered'", new { serviceId }) == Messages,
            TimeSpan.FromSeconds(90));

        Assert.True(beforeRestart < Messages, "the kill should have cut the stream before everything was delivered");
        Assert.Empty(accepted.Except(mx.Received.Select(SubjectOf)));
        // At least once: a message the MX took whose outcome the killed process had not recorded yet goes again.
        Assert.True(mx.Received.Count >= Messages);
        output.WriteLine($"{beforeRestart} distinct messages delivered before the kill, {mx.Received.Count - Messages} delivered twice");
    }

    private async Task AddRelayAccountAsync(Guid serviceId, string username)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.ExecuteAsync("""
            INSERT INTO delivery.relay_accounts (service_id, order_id, username, password_hash, source_ips, status, activated_at)
            VALUES (@ServiceId, @ServiceId, @Username, @Hash, @Ips, 'Active', now())
            """, new { ServiceId = serviceId, Username = username, Hash = PasswordHasher.HashRandomSecret(RelayHost.Password), Ips = new[] { "127.0.0.1" } });
        await connection.ExecuteAsync("""
            INSERT INTO delivery.sending_domains (service_id, domain, source, added_at) VALUES (@ServiceId, @Domain, 'verified', now())
            """, new { ServiceId = serviceId, Domain = RelayHost.OwnDomain });
    }

    private static string SubjectOf(ReceivedMessage message) =>
        MimeKit.MimeMessage.Load(new MemoryStream(message.Data)).Subject ?? "";
}
