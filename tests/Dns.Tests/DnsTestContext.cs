using System.Net;
using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ProMTA.Dns.Data;
using ProMTA.Dns.Dkim;
using ProMTA.Dns.Domain;
using ProMTA.Dns.Lookups;
using ProMTA.Dns.Monitoring;
using ProMTA.Dns.PowerDns;
using ProMTA.Dns.Publishing;
using ProMTA.ServiceDefaults.Security;
using ProMTA.TestKit;

namespace ProMTA.Dns.Tests;

/// <summary>
/// The Dns service's parts wired to the fixtures' real PostgreSQL and PowerDNS, with a clock the test moves.
/// <paramref name="resolvers"/> are the propagation resolvers and <paramref name="delegationResolvers"/> the ones asked
/// for NS records; both default to our PowerDNS, as in a local run.
/// </summary>
public sealed class DnsTestContext : IAsyncDisposable
{
    private DnsTestContext(ServiceDatabaseHost database, PowerDnsFixture powerDns, IPEndPoint[]? resolvers, IPEndPoint[]? delegationResolvers)
    {
        Database = database;
        Resolver = new LookupClient(new LookupClientOptions(powerDns.DnsEndpoint) { UseCache = false });
        var powerDnsOptions = Options.Create(new PowerDnsOptions { ApiUrl = powerDns.ApiUrl, ApiKey = powerDns.ApiKey, DnsEndpoint = powerDns.DnsEndpoint.ToString() });
        PowerDns = new PowerDnsClient(powerDns.NewApiClient(), powerDnsOptions, new PowerDnsWriteGate(powerDnsOptions));
        Protector = new DkimKeyProtector(Options.Create(new DkimKeyProtectionOptions { EncryptionKey = new string('k', 48) }));
        var dnsOptions = Options.Create(new DnsOptions());
        Zone = new SendingDomainZone(PowerDns, Protector, dnsOptions, Options.Create(new DkimOptions()), Time, NullLogger<SendingDomainZone>.Instance);
        Live = new LiveRecordCheck(new DnsLookup(powerDns.DnsEndpoint));
        Metrics = new DnsMetrics(Meters);
        Propagation = new ReverseDnsPropagation(
            new PropagationCheck([.. (resolvers ?? [powerDns.DnsEndpoint]).Select(r => new DnsLookup(r))]), Metrics, dnsOptions, Time,
            NullLogger<ReverseDnsPropagation>.Instance);
        Delegation = new DelegationWatch(
            new DelegationCheck([.. (delegationResolvers ?? [powerDns.DnsEndpoint]).Select(r => new DnsLookup(r))], powerDnsOptions.Value.Nameservers),
            Metrics, dnsOptions, Time, NullLogger<DelegationWatch>.Instance);
        Publication = new DomainPublication(Zone, Metrics, Time, NullLogger<DomainPublication>.Instance);
        Drift = new DnsDrift(Zone, PowerDns, Live, Metrics, dnsOptions, Time, NullLogger<DnsDrift>.Instance);
    }

    public ServiceDatabaseHost Database { get; }
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    public TestMeterFactory Meters { get; } = new();
    public PowerDnsClient PowerDns { get; }
    public DkimKeyProtector Protector { get; }
    public SendingDomainZone Zone { get; }
    public LiveRecordCheck Live { get; }
    public DnsMetrics Metrics { get; }
    public ReverseDnsPropagation Propagation { get; }
    public DelegationWatch Delegation { get; }
    /// <summary>What DomainPublisher's loop runs: the DKIM key and records of domains whose delegation was seen.</summary>
    public DomainPublication Publication { get; }
    public DnsDrift Drift { get; }

    /// <summary>Asks our PowerDNS over DNS, without a cache, as a mail server on the internet would.</summary>
    public LookupClient Resolver { get; }

    public static async Task<DnsTestContext> StartAsync(
        PostgresFixture postgres, PowerDnsFixture powerDns, IPEndPoint[]? resolvers = null, IPEndPoint[]? delegationResolvers = null) =>
        new(await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly), powerDns, resolvers, delegationResolvers);

    /// <summary>Hosts <paramref name="domain"/> for a new service as OrderPlaced and ReverseDnsRequested would; the DKIM selector.</summary>
    public Task<string> HostDomainAsync(Guid serviceId, string domain, string[] ips, Guid? orderId = null) => Database.Database.WriteAsync(async work =>
    {
        await DnsServices.AddOwnerAsync(work, serviceId, Guid.NewGuid(), orderId ?? Guid.NewGuid());
        Xunit.Assert.True(await SendingDomains.TryAddAsync(work, serviceId, domain, Time.GetUtcNow()));
        var selector = await Zone.AddDkimKeyAsync(work, serviceId, Guid.NewGuid(), domain);
        if (ips.Length > 0) await DnsServices.SetIpsAsync(work, serviceId, ips);
        await Zone.ApplyAsync(work, serviceId, default);
        return selector;
    });

    /// <summary>Starts hosting <paramref name="domain"/> for a new service as OrderPlaced does: pending, nothing but SOA and NS.</summary>
    public Task HostPendingAsync(Guid serviceId, string domain, Guid orderId, string[]? ips = null) => Database.Database.WriteAsync(async work =>
    {
        await DnsServices.AddOwnerAsync(work, serviceId, Guid.NewGuid(), orderId);
        Xunit.Assert.True(await SendingDomains.TryAddAsync(work, serviceId, domain, Time.GetUtcNow()));
        if (ips is not null) await DnsServices.SetIpsAsync(work, serviceId, ips);
        Xunit.Assert.True(await Zone.HostPendingAsync(work, serviceId, domain, default));
        await Zone.ApplyAsync(work, serviceId, default);
    });

    /// <summary>Puts the PTR of <paramref name="ip"/> and the A of <paramref name="hostname"/> in our PowerDNS, as the
    /// ReverseDnsRequested consumer writes them through the API; the two records.</summary>
    public async Task<DnsRecord[]> ServeReverseAsync(string ip, string hostname)
    {
        DnsRecord ptr = new(ReverseZones.PtrName(ip), "PTR", hostname), a = new(hostname, "A", ip);
        await PowerDns.EnsureZoneAsync(ReverseZones.ZoneOf(ip), default);
        await PowerDns.EnsureZoneAsync("promta.local.", default);
        await PowerDns.ReplaceRecordsAsync(ReverseZones.ZoneOf(ip), [ptr], default);
        await PowerDns.ReplaceRecordsAsync("promta.local.", [a], default);
        return [ptr, a];
    }

    /// <summary><see cref="ServeReverseAsync"/>, and the two records saved as published for the service (what drift
    /// repair and decommissioning work from).</summary>
    public async Task PublishReverseAsync(Guid serviceId, string ip, string hostname)
    {
        var records = await ServeReverseAsync(ip, hostname);
        await Database.Database.WriteAsync(async work =>
        {
            await PublishedRecords.SaveAsync(work, serviceId, ReverseZones.ZoneOf(ip), [records[0]], Time.GetUtcNow());
            await PublishedRecords.SaveAsync(work, serviceId, "promta.local.", [records[1]], Time.GetUtcNow());
        });
    }

    /// <summary>The TXT strings at <paramref name="name"/> (each record's chunks joined) as <see cref="Resolver"/> gets them.</summary>
    public async Task<List<string>> TxtAsync(string name) =>
        [.. (await Resolver.QueryAsync(name, QueryType.TXT)).Answers.OfType<TxtRecord>().Select(t => string.Concat(t.Text))];

    /// <summary>The records saved as published for the service.</summary>
    public async Task<List<DnsRecord>> PublishedAsync(Guid serviceId) =>
        [.. (await PublishedRecords.ForServiceAsync(Database.Database, serviceId, default)).Select(p => new DnsRecord(p.Name, p.Type, p.Value))];

    /// <summary>How many events of <typeparamref name="T"/> this test's service database wrote to its outbox.</summary>
    public async Task<int> OutboxCountAsync<T>()
    {
        await using var connection = await Database.Database.OpenAsync();
        return await Dapper.SqlMapper.ExecuteScalarAsync<int>(connection, "SELECT count(*) FROM outbox_messages WHERE message_type = @Type", new { Type = typeof(T).FullName });
    }

    public async ValueTask DisposeAsync()
    {
        Meters.Dispose();
        await Database.DisposeAsync();
    }
}
