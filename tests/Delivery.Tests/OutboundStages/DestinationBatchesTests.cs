using Microsoft.Extensions.Options;
using ProMTA.Delivery.Outbound;
using ProMTA.Delivery.Outbound.Claiming;
using ProMTA.Delivery.Reputation;
using Xunit;
using static ProMTA.Delivery.Tests.OutboundStages.StageKit;

namespace ProMTA.Delivery.Tests.OutboundStages;

/// <summary>Claimed recipients sorted onto egress paths, a destination's share split over the connections its path may have.</summary>
public sealed class DestinationBatchesTests
{
    private static readonly Route GmailRoute = new([new("mx.gmail.test", new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 25))], null, false);

    [Fact]
    public void A_destination_is_split_over_its_connections_in_whole_messages()
    {
        using var kit = new StageKit();
        kit.Options.MaxConnectionsPerDestination = 3;
        var batches = new DestinationBatches(kit.Paths(), new BlockedSources(Options.Create(new ReputationOptions())), Options.Create(kit.Options));
        // Ten messages with two recipients each at one domain.
        var claimed = Enumerable.Range(0, 10).SelectMany(i =>
        {
            var message = Guid.NewGuid();
            return new[] { Recipient(i * 2, $"a{i}@gmail.test", message), Recipient(i * 2 + 1, $"b{i}@gmail.test", message) };
        }).ToList();

        var formed = batches.Form(claimed, new Dictionary<string, Route> { ["gmail.test"] = GmailRoute }).ToList();

        Assert.Equal(3, formed.Count);
        Assert.Equal(20, formed.Sum(b => b.Recipients.Count));
        Assert.All(formed, b => Assert.All(b.Recipients.GroupBy(r => r.MessageId), m => Assert.Equal(2, m.Count())));
        Assert.All(formed, b => Assert.Equal((Ip, "gmail"), (b.Path.SourceIp, b.Path.Provider)));
    }

    [Fact]
    public void A_service_without_dedicated_ips_sends_on_the_default_route_lane()
    {
        using var kit = new StageKit();
        var batches = new DestinationBatches(kit.Paths(), new BlockedSources(Options.Create(new ReputationOptions())), Options.Create(kit.Options));

        var formed = batches.Form([Recipient(1, "a@gmail.test") with { SourceIps = [] }], new Dictionary<string, Route> { ["gmail.test"] = GmailRoute }).Single();

        Assert.Null(formed.Path.SourceIp);
        Assert.Equal(ProMTA.Delivery.Outbound.Egress.EgressPath.DefaultLane, formed.Path.Lane);
    }
}
