using System.Diagnostics;
using Dapper;
using MailKit.Net.Smtp;
using MimeKit;
using ProMTA.Contracts.Dns;
using ProMTA.Contracts.Ordering;
using ProMTA.Delivery.Consumers;
using ProMTA.Delivery.Data;
using ProMTA.FakeIsp;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// Issue 14: a service sends only as itself. The test service has verified customer.test (RelayHost); everything else,
/// in the envelope or in the From: header, is refused with 550 5.7.1 and nothing is queued.
/// </summary>
public sealed class SenderPolicyTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Theory]
    [InlineData("ceo@bank.test")]
    [InlineData("news@evilcustomer.test")] // a look-alike ending in the service's domain
    [InlineData("news@customer.test.evil.test")] // the service's domain as a prefix
    [InlineData("news@test")] // its parent
    [InlineData("news@[127.0.0.1]")] // an address literal
    public async Task A_foreign_envelope_sender_gets_550_5_7_1_at_MAIL_from_swaks_and_nothing_is_queued(string from)
    {
        await using var relay = await RelayHost.StartAsync(postgres);

        var (exit, output) = await SwaksAsync(relay, from, "From: " + from);

        Assert.NotEqual(0, exit);
        Assert.Contains("<** 550 5.7.1 Sender address not allowed for this service", output);
        Assert.DoesNotContain("DATA", output.Split('\n').Where(l => l.StartsWith(" -> ", StringComparison.Ordinal)).Select(l => l.Trim()));
        Assert.Equal(0L, await relay.QuerySingleAsync<long>("SELECT count(*) FROM messages"));
    }

    [Fact]
    public async Task A_forged_From_header_under_an_own_envelope_gets_550_5_7_1_at_the_end_of_DATA_and_nothing_is_queued()
    {
        await using var relay = await RelayHost.StartAsync(postgres);

        var (exit, output) = await SwaksAsync(relay, "bounces@customer.test", "From: \"Your Bank\" <security@bank.test>");
        Assert.NotEqual(0, exit);
        Assert.Contains("<** 550 5.7.1 Sender address not allowed for this service", output);

        // Two From: addresses, one of them foreign, and no From: at all are refused the same way (MailKit this time).
        var twoFrom = RelayHost.Message("ada@gmail.test");
        twoFrom.From.Add(MailboxAddress.Parse("someone@bank.test"));
        Assert.Equal("5.7.1", await RefusedStatusAsync(relay, twoFrom, MailboxAddress.Parse("sender@customer.test")));
        var noFrom = RelayHost.Message("ada@gmail.test");
        noFrom.From.Clear();
        Assert.Equal("5.7.1", await RefusedStatusAsync(relay, noFrom, MailboxAddress.Parse("sender@customer.test")));
        Assert.Equal(0L, await relay.QuerySingleAsync<long>("SELECT count(*) FROM messages"));
    }

    [Fact]
    public async Task The_services_own_domain_a_subdomain_of_it_and_the_null_sender_are_accepted()
    {
        await using var relay = await RelayHost.StartAsync(postgres);

        Assert.Equal(0, (await SwaksAsync(relay, "news@Customer.Test", "From: News <news@customer.test>")).Exit);
        Assert.Equal(0, (await SwaksAsync(relay, "bounce-123@mail.customer.test", "From: news@eu.customer.test")).Exit);
        Assert.Equal(0, (await SwaksAsync(relay, "<>", "From: MAILER-DAEMON@customer.test")).Exit);
        Assert.Equal(3L, await relay.QuerySingleAsync<long>("SELECT count(*) FROM messages"));
    }

    [Fact]
    public async Task A_released_domain_is_refused_from_then_on_and_a_staff_grant_allows_an_extra_domain()
    {
        await using var relay = await RelayHost.StartAsync(postgres, services: s => s.AddMassTransitTestHarness(bus =>
        {
            bus.AddConsumer<SendingDomainVerifiedConsumer>();
            bus.AddConsumer<SendingDomainReleasedConsumer>();
        }));
        var harness = relay.Services.GetRequiredService<ITestHarness>();
        await harness.Start();
        var db = relay.Database;
        await harness.Bus.Publish(new SendingDomainVerified
        {
            OrderId = relay.ServiceId, ServiceId = relay.ServiceId, Domain = "Brand.Test.", VerifiedAt = DateTimeOffset.UtcNow,
        });
        await RelayHost.EventuallyAsync(() => Task.FromResult(harness.Consumed.Select<SendingDomainVerified>().Any()));
        await harness.InactivityTask.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(harness.Consumed.Select<SendingDomainVerified>(), c => c.Exception is not null);
        var sent = await SwaksAsync(relay, "hi@brand.test", "From: hi@brand.test");
        Assert.True(sent.Exit == 0, sent.Output);

        await harness.Bus.Publish(new SendingDomainReleased
        {
            OrderId = relay.ServiceId, ServiceId = relay.ServiceId, Domain = "brand.test", Reason = "removed", ReleasedAt = DateTimeOffset.UtcNow,
        });
        await RelayHost.EventuallyAsync(() => Task.FromResult(harness.Consumed.Select<SendingDomainReleased>().Any()));
        await harness.InactivityTask.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(harness.Consumed.Select<SendingDomainReleased>(), c => c.Exception is not null);
        Assert.Contains("550 5.7.1", (await SwaksAsync(relay, "hi@brand.test", "From: hi@brand.test")).Output);

        await db.WriteAsync(work => SendingDomains.AddAsync(work, relay.ServiceId, "partner.test", SendingDomainSource.Staff, DateTimeOffset.UtcNow,
            Guid.NewGuid(), "Partner newsletter, vouched for by its owner"));
        Assert.Equal(0, (await SwaksAsync(relay, "hi@partner.test", "From: hi@partner.test")).Exit);
        Assert.Equal(2L, await relay.QuerySingleAsync<long>("SELECT count(*) FROM messages"));
    }

    [Fact]
    public async Task No_bounce_report_goes_to_a_sender_outside_the_services_domains()
    {
        var port = FreePort.Next();
        await using var victimMx = new FakeMx(new FakeProviderOptions { Name = "Victim", Domain = "victim.test", Address = "127.0.0.1" }, port);
        victimMx.Start();
        await using var relay = await RelayHost.StartAsync(postgres, settings: _ => new Dictionary<string, string>
        {
            ["Delivery:Routes:victim.test"] = $"127.0.0.1:{port}",
            ["Dsn:Interval"] = "00:00:00.200",
        });
        // Mail queued with a sender the service does not own (queued before the policy, or a grant since revoked).
        await using (var connection = await relay.Database.OpenAsync())
        {
            await connection.ExecuteAsync("""
                INSERT INTO messages (id, service_id, mail_from, size, data, received_at)
                VALUES (@Id, @ServiceId, 'someone@victim.test', length(@Data), @Data, now());
                INSERT INTO recipients (message_id, service_id, address, domain, provider, next_attempt_at, expires_at)
                VALUES (@Id, @ServiceId, 'unknown-zed@gmail.test', 'gmail.test', 'Gmail', now(), now() + interval '1 day');
                """, new { Id = Guid.NewGuid(), relay.ServiceId, Data = "From: someone@victim.test\r\nTo: unknown-zed@gmail.test\r\nSubject: Hi\r\n\r\nHi.\r\n"u8.ToArray() });
        }

        // The bounce is handled (its flag cleared in the DSN job's transaction) and no report was queued.
        await RelayHost.EventuallyAsync(async () => await relay.QuerySingleAsync<long>(
            "SELECT count(*) FROM recipients WHERE status = 'Bounced' AND NOT dsn_pending") == 1);
        Assert.Equal(1L, await relay.QuerySingleAsync<long>("SELECT count(*) FROM messages"));
        Assert.Empty(victimMx.Received);
    }

    /// <summary>Submits with swaks over an authenticated session; its exit code and transcript.</summary>
    private static async Task<(int Exit, string Output)> SwaksAsync(RelayHost relay, string from, string fromHeader)
    {
        var start = new ProcessStartInfo("swaks")
        {
            ArgumentList =
            {
                "--server", "127.0.0.1", "--port", relay.Port.ToString(), "--auth", "LOGIN", "--auth-user", relay.Username, "--auth-password", RelayHost.Password,
                "--from", from, "--to", "ada@gmail.test", "--header", fromHeader, "--body", "Hello from swaks", "--timeout", "20",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var swaks = Process.Start(start)!;
        var output = swaks.StandardOutput.ReadToEndAsync();
        var error = swaks.StandardError.ReadToEndAsync();
        await swaks.WaitForExitAsync();
        return (swaks.ExitCode, await output + await error);
    }

    private static async Task<string> RefusedStatusAsync(RelayHost relay, MimeMessage message, MailboxAddress sender)
    {
        using var client = await relay.ConnectAsync();
        await client.AuthenticateAsync(relay.Username, RelayHost.Password);
        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(message, sender, [.. message.To.Mailboxes]));
        Assert.Equal(550, (int)refused.StatusCode);
        return refused.Message.Split(' ')[0];
    }
}
