using ProMTA.Delivery.Outbound.Egress;
using ProMTA.MailPolicy;
using Xunit;
using static ProMTA.Delivery.Tests.OutboundStages.StageKit;

namespace ProMTA.Delivery.Tests.OutboundStages;

/// <summary>What the claim loop may claim per provider label: the room of that provider's egress paths.</summary>
public sealed class EgressPathsTests
{
    private static readonly TimeSpan Horizon = TimeSpan.FromSeconds(2);

    [Fact]
    public void A_provider_without_a_path_yet_may_claim_a_first_few_to_learn_its_lanes()
    {
        using var kit = new StageKit();

        var budgets = kit.Paths().Budgets(Horizon, cap: 500);

        Assert.Equal(kit.Throttle.Providers.Labels.Count, budgets.Count);
        Assert.All(budgets.Values, n => Assert.Equal(EgressPaths.FirstClaim, n));
    }

    [Fact]
    public void A_provider_may_claim_the_room_of_its_paths_and_no_more()
    {
        using var kit = new StageKit();
        var paths = kit.Paths();
        var first = paths.For(Ip, "gmail");
        var second = paths.For("198.51.100.21", "gmail");
        first.Claimed(1);

        var budgets = paths.Budgets(Horizon, cap: 500);

        Assert.Equal(first.Room(Horizon) + second.Room(Horizon), budgets[kit.Throttle.Providers.Get("gmail").Label]);
        Assert.Equal(3, paths.Budgets(Horizon, cap: 3)[kit.Throttle.Providers.Get("gmail").Label]);
    }

    [Fact]
    public void A_provider_whose_paths_have_no_room_is_offered_one_recipient_per_probe_interval()
    {
        using var kit = new StageKit();
        var paths = kit.Paths();
        kit.Throttle.RestoreLane(new LaneState(Ip, "gmail", 60, 1, null, T0 + TimeSpan.FromHours(1)), T0);
        paths.For(Ip, "gmail");
        var gmail = kit.Throttle.Providers.Get("gmail").Label;

        Assert.Equal(1, paths.Budgets(Horizon, cap: 500)[gmail]);
        Assert.False(paths.Budgets(Horizon, cap: 500).ContainsKey(gmail));
        kit.Time.Advance(EgressPaths.ProbeInterval);
        Assert.Equal(1, paths.Budgets(Horizon, cap: 500)[gmail]);
    }

    [Fact]
    public void A_destination_hosted_at_a_known_provider_is_shaped_as_that_provider_by_its_mx()
    {
        using var kit = new StageKit();
        var route = new ProMTA.Delivery.Outbound.Route([new("aspmx.l.google.com", new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 25))], null, false);

        Assert.Equal("gmail", kit.Paths().ProviderOf("Other", route));
    }
}
