using Dapper;
using MailKit.Net.Smtp;
using Npgsql;
using ProMTA.FakeIsp;
using ProMTA.ServiceDefaults.Security;
using ProMTA.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace ProMTA.Delivery.Tests.Lanes;

/// <summary>
/// Two Delivery processes on one queue and one source IP; the one pacing the lane is killed with SIGKILL mid-stream.
/// The other takes the lane over and every accepted message arrives, at least once: a message the MX took just before
/// the kill, whose outcome the dead replica had not written, goes again (counted, never lost).
/// </summary>
public sealed class ReplicaKillTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private const int Messages = 200;

    [Fact]
    public async Task When_the_replica_pacing_a_lane_is_killed_the_other_takes_it_over_and_no_message_is_lost()
    {
        var mxPort = FreePort.Next();
        await using var mx = new FakeMx(new FakeProviderOptions
        {
            Name = "Gmail", Domain = "gmail.test", Address = "127.0.0.1", DataReplyDelay = TimeSpan.FromMilliseconds(50),
        }, mxPort);
        mx.Start();
        var settings = new Dictionary<string, string>
        {
            ["Relay:AllowPlainAuth"] = "true",
            ["Delivery:Routes:gmail.test"] = $"127.0.0.1:{mxPort}",
            ["Delivery:PollInterval"] = "00:00:00.200",
            // A killed replica's claimed recipients come back when their claim lease ends: short here, minutes in production.
            ["Delivery:Lease"] = "00:00:05",
            // No message starts in its claim's last 2 s (a send here takes 50 ms): it goes back to the queue instead.
            ["Delivery:LeaseMargin"] = "00:00:02",
            ["Delivery:Lanes:LeaseTtl"] = "00:00:06",
            ["Delivery:Lanes:RenewInterval"] = "00:00:01.500",
        };
        var serviceId = Guid.NewGuid();
        var username = $"svc-{serviceId:N}";
        var replicas = new[]
        {
            await DeliveryProcess.StartAsync(postgres.ConnectionString, FreePort.Next(), settings),
            await DeliveryProcess.StartAsync(postgres.ConnectionString, FreePort.Next(), settings),
        };
        try
        {
            await AddRelayAccountAsync(serviceId, username);
            // Held while the client submits: on a slow machine the paced lane could otherwise deliver the whole stream
            // during the submission, before there is anything left to kill it in the middle of.
            await HoldAsync(serviceId, held: true);
            var accepted = new List<string>();
            using (var client = new SmtpClient())
            {
                await client.ConnectAsync("127.0.0.1", replicas[0].RelayPort, MailKit.Security.SecureSocketOptions.None);
                await client.AuthenticateAsync(username, RelayHost.Password);
                for (var i = 0; i < Messages; i++)
                {
                    var subject = $"kill-{i:D3}";
                    Assert.Contains("queued as", await client.SendAsync(RelayHost.Message($"reader{i % 7}@gmail.test", subject)));
                    accepted.Add(subject);
                }
                await client.DisconnectAsync(true);
            }
            await HoldAsync(serviceId, held: false);
            await RelayHost.EventuallyAsync(() => Task.FromResult(mx.Received.Count >= Messages / 4), TimeSpan.FromSeconds(60));
            var owner = await OwnerAsync();
            var (killed, survivor) = owner.Contains($"/{replicas[0].ProcessId}/") ? (replicas[0], replicas[1]) : (replicas[1], replicas[0]);
            Assert.Contains($"/{killed.ProcessId}/", owner);
            await killed.KillAsync();
            var beforeKill = mx.Received.Select(SubjectOf).Distinct().Count();

            await using var connection = new NpgsqlConnection(postgres.ConnectionString);
            await RelayHost.EventuallyAsync(async () => await connection.QuerySingleAsync<long>(
                "SELECT count(*) FROM delivery.recipients WHERE service_id = @serviceId AND status = 'Delivered'", new { serviceId }) == Messages,
                TimeSpan.FromSeconds(120));

            Assert.True(beforeKill < Messages, "the kill should have cut the stream before everything was delivered");
            Assert.Contains($"/{survivor.ProcessId}/", await OwnerAsync());
            Assert.Empty(accepted.Except(mx.Received.Select(SubjectOf)));
            var duplicates = mx.Received.Count - Messages;
            Assert.True(duplicates >= 0);
            output.WriteLine($"{beforeKill} distinct messages delivered before the kill, {duplicates} delivered twice (in flight at the kill)");
        }
        finally
        {
            foreach (var replica in replicas) await replica.DisposeAsync();
        }
    }

    private async Task HoldAsync(Guid serviceId, bool held)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.ExecuteAsync(held
            ? "INSERT INTO delivery.queue_holds (service_id, provider, held_at, held_by) VALUES (@serviceId, '*', now(), 'test')"
            : "DELETE FROM delivery.queue_holds WHERE service_id = @serviceId; UPDATE delivery.recipients SET held = false WHERE service_id = @serviceId",
            new { serviceId });
    }

    private async Task<string> OwnerAsync()
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        return await connection.QuerySingleAsync<string>("SELECT owner FROM delivery.lane_leases WHERE lane = '127.0.0.1' AND provider = 'gmail'");
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
