using System.Text;
using ProMTA.EndToEnd.Telemetry;
using Xunit;
using Xunit.Abstractions;

namespace ProMTA.EndToEnd;

/// <summary>One order is one trace: from the gateway through every service's consumers, database calls and outbox hops.</summary>
[Collection(PlatformCollection.Name)]
public sealed class TraceTests(PlatformFixture platform, ITestOutputHelper output)
{
    private static readonly TimeSpan PipelineTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task An_order_is_one_trace_from_the_gateway_through_every_service_with_intact_parent_links()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        var (orderId, _, traceId) = await customer.PlaceCardOrderAsync();
        await customer.WaitForOrderStatusAsync(orderId, "Active", PipelineTimeout);

        var expected = ExpectedSpans();
        IReadOnlyList<ReceivedSpan> trace = [];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        // The services export in batches: wait until every expected span and every parent has arrived.
        while (DateTime.UtcNow < deadline)
        {
            trace = platform.Telemetry.Trace(traceId);
            if (expected.All(e => WithAncestors(trace).Any(e.Matches)) && Orphans(trace).Count == 1) break;
            await Task.Delay(250);
        }
        output.WriteLine(Describe(trace));

        var traced = WithAncestors(trace);
        var missing = expected.Where(e => !traced.Any(e.Matches)).Select(e => e.What).ToList();
        Assert.True(missing.Count == 0, $"Spans missing from trace {traceId}: {string.Join("; ", missing)}");
        // Exactly one root: the gateway's server span for POST /api/orders. Every other span's parent is in the trace.
        var root = Assert.Single(Orphans(trace));
        Assert.Equal("gateway", root.Service);
        Assert.Equal(OtlpReceiver.SpanKindServer, root.Kind);
        Assert.Equal("", root.ParentSpanId);
        Assert.Equal("/api/orders", root.Attributes.GetValueOrDefault("url.path"));
    }

    private sealed record Expectation(string What, Func<TracedSpan, bool> Matches);

    private sealed record Hop(string Publisher, string Message, string Consumer, string ConsumerType);

    private static readonly Hop[] Hops =
    [
        new("ordering", "OrderPlaced", "billing", "OrderPlacedConsumer"),
        new("ordering", "OrderPlaced", "dns", "OrderPlacedConsumer"),
        new("ordering", "OrderPlaced", "delivery", "OrderPlacedConsumer"),
        new("billing", "PaymentSucceeded", "provisioning", "PaymentSucceededConsumer"),
        new("billing", "PaymentSucceeded", "ordering", "PaymentSucceededConsumer"),
        new("provisioning", "ServerProvisioned", "ordering", "ServerProvisionedConsumer"),
        new("provisioning", "ReverseDnsRequested", "dns", "ReverseDnsRequestedConsumer"),
        new("provisioning", "ReverseDnsRequested", "ordering", "ReverseDnsRequestedConsumer"),
        new("dns", "ReverseDnsPropagated", "delivery", "ReverseDnsPropagatedConsumer"),
        new("dns", "ReverseDnsPropagated", "ordering", "ReverseDnsPropagatedConsumer"),
        new("delivery", "ServiceActivated", "ordering", "ServiceActivatedConsumer"),
    ];

    /// <summary>A span with its ancestors in the trace (nearest first).</summary>
    private sealed record TracedSpan(ReceivedSpan Span, IReadOnlyList<ReceivedSpan> Ancestors)
    {
        public string Service => Span.Service;
        public string Name => Span.Name;
        public int Kind => Span.Kind;
        public IReadOnlyDictionary<string, string> Attributes => Span.Attributes;
    }

    private static List<TracedSpan> WithAncestors(IReadOnlyList<ReceivedSpan> trace)
    {
        var byId = trace.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
        return trace.Select(span =>
        {
            var ancestors = new List<ReceivedSpan>();
            for (var parent = span.ParentSpanId; byId.TryGetValue(parent, out var p) && ancestors.Count < trace.Count; parent = p.ParentSpanId)
            {
                ancestors.Add(p);
            }
            return new TracedSpan(span, ancestors);
        }).ToList();
    }

    private static List<Expectation> ExpectedSpans()
    {
        var list = new List<Expectation>
        {
            new("gateway: POST /api/orders", s => s.Service == "gateway" && s.Kind == OtlpReceiver.SpanKindServer && s.Attributes.GetValueOrDefault("url.path") == "/api/orders"),
            new("gateway -> ordering HTTP", s => s.Service == "gateway" && s.Kind == OtlpReceiver.SpanKindClient && s.Attributes.GetValueOrDefault("url.full", "").Contains("/api/orders")),
            new("ordering: POST /api/orders", s => s.Service == "ordering" && s.Kind == OtlpReceiver.SpanKindServer && s.Attributes.GetValueOrDefault("url.path") == "/api/orders"),
            new("billing: Stripe PaymentIntent over HTTP", s => s.Service == "billing" && s.Kind == OtlpReceiver.SpanKindClient && s.Attributes.GetValueOrDefault("url.full", "").Contains("/v1/payment_intents")),
            new("dns: PowerDNS API over HTTP", s => s.Service == "dns" && s.Kind == OtlpReceiver.SpanKindClient && s.Attributes.GetValueOrDefault("url.full", "").Contains("/api/v1/servers")),
        };
        foreach (var service in new[] { "ordering", "billing", "provisioning", "dns", "delivery" })
        {
            list.Add(new($"{service}: a PostgreSQL command", s => s.Service == service && s.Attributes.GetValueOrDefault("db.system.name", s.Attributes.GetValueOrDefault("db.system", "")) == "postgresql"));
        }
        // Every hop of the happy path: the consumer's span descends from the publisher's outbox relay span.
        foreach (var hop in Hops)
        {
            list.Add(new($"{hop.Consumer}: {hop.ConsumerType} under {hop.Publisher}'s outbox relay {hop.Message}", s => s.Service == hop.Consumer
                && s.Kind == OtlpReceiver.SpanKindConsumer
                && s.Attributes.GetValueOrDefault("messaging.masstransit.consumer_type", "").EndsWith($".{hop.ConsumerType}", StringComparison.Ordinal)
                && s.Attributes.GetValueOrDefault("messaging.masstransit.message_types", "").EndsWith($":{hop.Message}", StringComparison.Ordinal)
                && s.Ancestors.Any(a => a.Service == hop.Publisher && a.Name == $"outbox relay {hop.Message}" && a.Kind == OtlpReceiver.SpanKindProducer)));
        }
        return list;
    }

    private static List<ReceivedSpan> Orphans(IReadOnlyList<ReceivedSpan> trace)
    {
        var ids = trace.Select(s => s.SpanId).ToHashSet();
        return trace.Where(s => !ids.Contains(s.ParentSpanId)).ToList();
    }

    private static string Describe(IReadOnlyList<ReceivedSpan> trace)
    {
        var text = new StringBuilder();
        var children = trace.ToLookup(s => s.ParentSpanId);
        var ids = trace.Select(s => s.SpanId).ToHashSet();
        void Write(ReceivedSpan span, int depth)
        {
            text.AppendLine($"{new string(' ', depth * 2)}{span.Service} [{span.Kind}] {span.Name}  {string.Join(' ', span.Attributes.Where(a => a.Key.StartsWith("messaging") || a.Key is "url.full" or "url.path").Select(a => $"{a.Key}={a.Value}"))}");
            foreach (var child in children[span.SpanId].OrderBy(c => c.Start)) Write(child, depth + 1);
        }
        foreach (var orphan in trace.Where(s => !ids.Contains(s.ParentSpanId)).OrderBy(s => s.Start)) Write(orphan, 0);
        return text.ToString();
    }
}
