using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ProMTA.Dns.Dkim;
using ProMTA.Dns.Domain;
using ProMTA.Dns.PowerDns;
using ProMTA.Dns.Publishing;
using ProMTA.ServiceDefaults.Security;
using ProMTA.TestKit;

namespace ProMTA.Dns.Tests;

/// <summary>The Dns service's parts wired to the fixtures' real PostgreSQL and PowerDNS, with a clock the test moves.</summary>
public sealed class DnsTestContext : IAsyncDisposable
{
    private DnsTestContext(ServiceDatabaseHost database, PowerDnsFixture powerDns)
    {
        Database = database;
        var powerDnsOptions = Options.Create(new PowerDnsOptions { ApiUrl = powerDns.ApiUrl, ApiKey = powerDns.ApiKey, DnsEndpoint = powerDns.DnsEndpoint.ToString() });
        PowerDns = new PowerDnsClient(powerDns.NewApiClient(), powerDnsOptions);
        Protector = new DkimKeyProtector(Options.Create(new DkimKeyProtectionOptions { EncryptionKey = new string('k', 48) }));
        Zone = new SendingDomainZone(PowerDns, Protector, Options.Create(new DnsOptions()), Options.Create(new DkimOptions()), Time,
            NullLogger<SendingDomainZone>.Instance);
        Live = new LiveRecordCheck(powerDns.DnsEndpoint);
    }

    public ServiceDatabaseHost Database { get; }
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    public PowerDnsClient PowerDns { get; }
    public DkimKeyProtector Protector { get; }
    public SendingDomainZone Zone { get; }
    public LiveRecordCheck Live { get; }

    public static async Task<DnsTestContext> StartAsync(PostgresFixture postgres, PowerDnsFixture powerDns) =>
        new(await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly), powerDns);

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}
