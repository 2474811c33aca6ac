using System.Diagnostics.Metrics;

namespace ProMTA.Delivery.Outbound;

/// <summary>Per-provider delivery counters for the dashboard (ProMTA.* meters are exported by ServiceDefaults).</summary>
public sealed class DeliveryMetrics
{
    private readonly Counter<long> queued;
    private readonly Counter<long> outcomes;

    public DeliveryMetrics(IMeterFactory meters)
    {
        var meter = meters.Create("ProMTA.Delivery");
        queued = meter.CreateCounter<long>("promta.delivery.queued", description: "Recipients accepted by the relay");
        outcomes = meter.CreateCounter<long>("promta.delivery.attempts", description: "Delivery attempts by provider and outcome");
    }

    public void Queued(int recipients) => queued.Add(recipients);

    public void Attempted(string provider, string outcome) =>
        outcomes.Add(1, new KeyValuePair<string, object?>("provider", provider), new KeyValuePair<string, object?>("outcome", outcome));
}
