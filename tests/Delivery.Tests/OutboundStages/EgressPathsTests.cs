using ProMTA.Delivery.Domain;
using ProMTA.Delivery.Outbound.Egress;
using ProMTA.MailPolicy;
using Xunit;
using static ProMTA.Delivery.Tests.OutboundStages.StageKit;

namespace ProMTA.Delivery.Tests.OutboundStages;

/// <summary>What the claim loop may claim per provider label: the room of that provider's egress paths.</summary>
public sealed class EgressPathsTests
{
    private static readonly TimeSpan Horizon = TimeSpan.FromSeconds(2);
    private const string Bulk = MailStream.Bulk;
    private const string Transactional = MailStream.Transactional;

    [Fact]
    public void A_provider_without_a_path_yet_may_claim_a_first_few_to_learn_its_lanes()
    {
        using var kit = new StageKit();

        var budgets = kit.Paths().Budgets(Horizon, cap: 500);

        Assert.Equal(kit.Throttle.Providers.Labels.Count * 2, budgets.Count); // bulk and transactional
        Assert.All(budgets.Values, n => Assert.Equal(EgressPaths.FirstClaim, n));
    }

    [Fact]
    public void A_provider_may_claim_the_room_of_its_paths_and_no_more()
    {
        using var kit = new StageKit();
        var paths = kit.Paths();
        var first = paths.For(Ip, "gmail");
        var second = paths.For("198.51.100.21", "gmail");
        first.Claimed(1, transactional: false);
        var gmail = kit.Throttle.Providers.Get("gmail").Label;

        var budgets = paths.Budgets(Horizon, cap: 500);

        Assert.Equal(first.Room(Horizon, transactional: false) + second.Room(Horizon, transactional: false), budgets[(gmail, Bulk)]);
        Assert.Equal(3, paths.Budgets(Horizon, cap: 3)[(gmail, Bulk)]);
    }

    [Fact]
    public void Without_pacing_a_provider_refills_its_batches_in_flight_by_half_a_batch_at_least()
    {
        using var kit = new StageKit();
        kit.Options.BypassThrottling = true;
        kit.Options.BatchSize = 100;
        kit.Options.Workers = 2;
        var paths = kit.Paths();
        var gmail = kit.Throttle.Providers.Get("gmail").Label;
        // A pace that would allow next to nothing: without pacing it does not limit the claim.
        kit.Throttle.RestoreLane(new LaneState(Ip, "gmail", 60, 1, null, T0 + TimeSpan.FromHours(1)), T0);
        var path = paths.For(Ip, "gmail");

        Assert.Equal(100, paths.Budgets(Horizon, cap: 100)[(gmail, Bulk)]);
        path.Claimed(120, transactional: false);
        Assert.Equal(80, paths.Budgets(Horizon, cap: 100)[(gmail, Bulk)]);
        path.Claimed(40, transactional: false);
        Assert.False(paths.Budgets(Horizon, cap: 100).ContainsKey((gmail, Bulk))); // 40 of room: less than half a batch
        Assert.Equal(100, paths.Budgets(Horizon, cap: 100)[(gmail, Transactional)]);
    }

    [Fact]
    public void A_provider_whose_paths_have_no_room_is_offered_one_recipient_per_probe_interval()
    {
        using var kit = new StageKit();
        var paths = kit.Paths();
        kit.Throttle.RestoreLane(new LaneState(Ip, "gmail", 60, 1, null, T0 + TimeSpan.FromHours(1)), T0);
        paths.For(Ip, "gmail");
        var gmail = kit.Throttle.Providers.Get("gmail").Label;

        Assert.Equal(1, paths.Budgets(Horizon, cap: 500)[(gmail, Bulk)]);
        Assert.False(paths.Budgets(Horizon, cap: 500).ContainsKey((gmail, Bulk)));
        kit.Time.Advance(EgressPaths.ProbeInterval);
        Assert.Equal(1, paths.Budgets(Horizon, cap: 500)[(gmail, Bulk)]);
    }

    [Fact]
    public void A_destination_hosted_at_a_known_provider_is_shaped_as_that_provider_by_its_mx()
    {
        using var kit = new StageKit();
        var route = new ProMTA.Delivery.Outbound.Route([new("aspmx.l.google.com", new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 25))], null, false);

        Assert.Equal("gmail", kit.Paths().ProviderOf("Other", route));
    }

    [Fact]
    public void Transactional_mail_has_its_own_room_which_bulk_waiting_in_memory_does_not_take()
    {
        using var kit = new StageKit();
        var paths = kit.Paths();
        var path = paths.For(Ip, "gmail");
        var gmail = kit.Throttle.Providers.Get("gmail").Label;
        var allowance = kit.Throttle.Allowance(Ip, "gmail", T0, Horizon);
        var reserve = (int)Math.Floor(allowance * kit.Options.TransactionalReserve);
        Assert.True(reserve > 0, $"an allowance of {allowance} keeps a share for transactional mail");

        // Nothing waits: bulk may claim all but the reserved share, transactional the whole allowance.
        var budgets = paths.Budgets(Horizon, cap: 10_000);
        Assert.Equal(allowance - reserve, budgets[(gmail, Bulk)]);
        Assert.Equal(allowance, budgets[(gmail, Transactional)]);

        // Bulk claimed all it may and waits in memory: no more bulk, and transactional still has the whole lane.
        path.Claimed(allowance - reserve, transactional: false);
        budgets = paths.Budgets(Horizon, cap: 10_000);
        Assert.Equal(1, budgets[(gmail, Bulk)]); // only the probe
        Assert.Equal(allowance, budgets[(gmail, Transactional)]);
        Assert.False(paths.Budgets(Horizon, cap: 10_000).ContainsKey((gmail, Bulk)));

        // Transactional mail claimed and waiting counts against transactional room (and bulk's).
        path.Claimed(3, transactional: true);
        Assert.Equal(allowance - 3, paths.Budgets(Horizon, cap: 10_000)[(gmail, Transactional)]);
        path.Completed(allowance - reserve, transactional: false);
        Assert.Equal(allowance - reserve - 3, path.Room(Horizon, transactional: false));
    }
}
