using Dapper;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using ProMTA.Contracts.Dns;
using ProMTA.Contracts.Provisioning;
using ProMTA.Dns.Domain;
using ProMTA.Dns.Monitoring;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Dns.Tests;

public sealed class ReverseDnsPropagationTests(PostgresFixture postgres, PowerDnsFixture powerDns, SecondPowerDns publicResolver)
    : IClassFixture<PostgresFixture>, IClassFixture<PowerDnsFixture>, IClassFixture<SecondPowerDns>
{
    [Fact]
    public async Task Reverse_dns_every_resolver_answers_is_propagated_on_the_first_check()
    {
        await using var dns = await DnsTestContext.StartAsync(postgres, powerDns);
        var request = NewRequest();
        await PublishAsync(dns, request);

        await StartAsync(dns, request);

        Assert.Equal(1, await dns.OutboxCountAsync<ReverseDnsPropagated>());
        Assert.Empty(await dns.Propagation.PendingAsync(dns.Database.Database, default));
    }

    [Fact]
    public async Task Checks_back_off_alert_once_after_24_hours_and_still_go_live_when_the_records_answer()
    {
        await using var dns = await DnsTestContext.StartAsync(postgres, powerDns, [powerDns.DnsEndpoint, publicResolver.Server.DnsEndpoint]);
        using var delayed = new MetricCollector<long>(dns.Meters.Meters.Single(), "promta.dns.reverse_dns.delayed");
        var request = NewRequest();
        await PublishAsync(dns, request); // ours answers, the public resolver does not see it
        var start = dns.Time.GetUtcNow();
        await StartAsync(dns, request);

        var pending = Assert.Single(await dns.Propagation.PendingAsync(dns.Database.Database, default));
        Assert.Contains($"PTR {ReverseZones.PtrName(request.Entries[0].Ip)} at {publicResolver.Server.DnsEndpoint}", pending.Missing);
        Assert.DoesNotContain($"at {powerDns.DnsEndpoint}", pending.Missing);

        // Waits double from 10 s to the 1 h cap; nothing is checked before it is due.
        var waits = new List<TimeSpan>();
        while (dns.Time.GetUtcNow() - start < TimeSpan.FromHours(26))
        {
            var next = await NextCheckAsync(dns, request.ServiceId);
            dns.Time.SetUtcNow(next - TimeSpan.FromSeconds(1));
            Assert.Equal(0, await dns.Propagation.RunDueAsync(dns.Database.Database, default));
            waits.Add(next - (await dns.Propagation.PendingAsync(dns.Database.Database, default)).Single().LastCheckedAt!.Value);
            dns.Time.SetUtcNow(next);
            Assert.Equal(1, await dns.Propagation.RunDueAsync(dns.Database.Database, default));
            Assert.Equal(PastWindow(dns, start) ? 1 : 0, await dns.OutboxCountAsync<ReverseDnsPropagationDelayed>());
        }
        Assert.Equal([10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600], waits.Take(10).Select(w => w.TotalSeconds));
        Assert.All(waits.Skip(10), w => Assert.Equal(TimeSpan.FromHours(1), w));
        Assert.Equal(0, await dns.OutboxCountAsync<ReverseDnsPropagated>());
        Assert.Equal(1, delayed.GetMeasurementSnapshot().EvaluateAsCounter());
        var overdue = Assert.Single(await dns.Propagation.PendingAsync(dns.Database.Database, default));
        Assert.True(dns.Propagation.IsOverdue(overdue, dns.Time.GetUtcNow()));
        Assert.NotNull(overdue.AlertedAt);

        // The public resolver finally sees both records: the next check makes the service live.
        var entry = request.Entries[0];
        await publicResolver.SetAsync(ReverseZones.ZoneOf(entry.Ip), ReverseZones.PtrName(entry.Ip), "PTR", entry.Hostname + ".");
        await publicResolver.SetAsync("promta.local.", entry.Hostname + ".", "A", entry.Ip);
        dns.Time.SetUtcNow(await NextCheckAsync(dns, request.ServiceId));
        Assert.Equal(1, await dns.Propagation.RunDueAsync(dns.Database.Database, default));
        Assert.Equal(1, await dns.OutboxCountAsync<ReverseDnsPropagated>());
        Assert.Equal(1, await dns.OutboxCountAsync<ReverseDnsPropagationDelayed>());
        Assert.Empty(await dns.Propagation.PendingAsync(dns.Database.Database, default));
    }

    private static bool PastWindow(DnsTestContext dns, DateTimeOffset start) => dns.Time.GetUtcNow() - start >= TimeSpan.FromHours(24);

    private static ReverseDnsRequested NewRequest()
    {
        var serviceId = Guid.NewGuid();
        var ip = $"127.{Random.Shared.Next(10, 250)}.{Random.Shared.Next(1, 250)}.{Random.Shared.Next(1, 250)}";
        return new ReverseDnsRequested { OrderId = Guid.NewGuid(), ServiceId = serviceId, Entries = [new ReverseDnsEntry(ip, $"mta1.s{serviceId:N}.promta.local")] };
    }

    /// <summary>What the consumer writes through the API before it starts the checks.</summary>
    private static Task PublishAsync(DnsTestContext dns, ReverseDnsRequested request) =>
        dns.ServeReverseAsync(request.Entries[0].Ip, request.Entries[0].Hostname + ".");

    private static Task StartAsync(DnsTestContext dns, ReverseDnsRequested request) =>
        dns.Database.Database.WriteAsync(work => dns.Propagation.StartAsync(work, request, default));

    private static async Task<DateTimeOffset> NextCheckAsync(DnsTestContext dns, Guid serviceId)
    {
        await using var connection = await dns.Database.Database.OpenAsync();
        var next = await connection.ExecuteScalarAsync<DateTime>("SELECT next_check_at FROM propagation_checks WHERE service_id = @serviceId", new { serviceId });
        return new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc));
    }
}
