using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Outbound;
using ProMTA.Delivery.Feedback;
using ProMTA.Delivery.Outbound.Dispatch;
using ProMTA.Delivery.Outbound.Dkim;
using ProMTA.Delivery.Outbound.Egress;
using ProMTA.Delivery.Outbound.Lanes;
using ProMTA.Delivery.Outbound.Outcome;
using ProMTA.MailPolicy;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Security;

namespace ProMTA.Delivery.Tests.OutboundStages;

/// <summary>The outbound stages built by hand on a fake clock, for the tests of one stage at a time.</summary>
internal sealed class StageKit : IDisposable
{
    public const string Ip = "198.51.100.20";
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public FakeTimeProvider Time { get; } = new(T0);
    public OutboundOptions Options { get; } = new();
    public ThrottleController Throttle { get; }

    /// <summary>Every lane paced by this one process (the stages on their own; lane leases have their own tests).</summary>
    public LaneOwnership Lanes { get; }

    public StageKit()
    {
        Throttle = new ThrottleController(timeProvider: Time);
        Lanes = new LaneOwnership(UnusedDatabase(), Throttle, Microsoft.Extensions.Options.Options.Create(new LaneLeaseOptions { Leased = false }),
            Microsoft.Extensions.Options.Options.Create(Options), Time, NullLogger<LaneOwnership>.Instance);
    }

    public EgressPaths Paths() => new(Throttle, Throttle.Providers, Lanes, Microsoft.Extensions.Options.Options.Create(Options), Time);

    public EgressPath Path(string provider, bool bypass = false) => new(Ip, provider, Throttle, Lanes, Time, bypass);

    /// <summary>The outcome step; without <paramref name="db"/> its database is never opened (the test only asks what a reply means).</summary>
    public RecipientOutcomes Outcomes(Database? db = null) => new(
        db ?? UnusedDatabase(),
        new ProMTA.MailPolicy.Replies.ReplyClassifier(ThrottlingData.Default.Replies.Rules), Microsoft.Extensions.Options.Options.Create(Options), Time,
        new DeliveryMetrics(services.GetRequiredService<IMeterFactory>()), NullLogger<RecipientOutcomes>.Instance);

    /// <summary>The dispatcher of one replica (its own slots and sessions), reading payloads from and writing outcomes to <paramref name="db"/>.</summary>
    public Dispatcher Dispatcher(Database db, SessionSlots slots, SmtpConnectionPool pool)
    {
        var options = Microsoft.Extensions.Options.Options.Create(Options);
        var verp = new VerpAddresses(Microsoft.Extensions.Options.Options.Create(new VerpOptions()));
        var dkim = new DkimKeyProtector(Microsoft.Extensions.Options.Options.Create(new DkimKeyProtectionOptions { EncryptionKey = RelayHost.DkimEncryptionKey }));
        return new(new MessagePayloads(db, verp), slots, new SessionOpener(pool, new MxConnector(options), Time),
            new MessageTransaction(new RawDkimSigner(dkim, Time), verp), Outcomes(db), options, Time);
    }

    private static Database UnusedDatabase() =>
        new(NpgsqlDataSource.Create("Host=127.0.0.1;Database=unused"), new ServiceSchema("delivery", typeof(DeliveryMetrics).Assembly));

    public static ClaimedRecipient Recipient(long id, string address, Guid? messageId = null, int attempts = 1, bool paced = false) => new()
    {
        Id = id, MessageId = messageId ?? Guid.NewGuid(), ServiceId = Guid.Parse("6a1f0e8e-0000-4000-8000-000000000001"), Address = address,
        Domain = address[(address.IndexOf('@') + 1)..], Provider = "Gmail", Attempts = attempts, ExpiresAt = T0 + TimeSpan.FromDays(3),
        MailFrom = "sender@customer.test", SourceIps = [Ip], Paced = paced, ClaimedUntil = T0 + new OutboundOptions().Lease,
    };

    public void Dispose()
    {
        Throttle.Dispose();
        services.Dispose();
    }
}
