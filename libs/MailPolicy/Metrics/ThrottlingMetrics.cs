using System.Diagnostics.Metrics;
using ProMTA.MailPolicy.Replies;

namespace ProMTA.MailPolicy.Metrics;

/// <summary>
/// The controller's OpenTelemetry instruments on the Meter "ProMTA.Throttling" (add it with
/// <c>metrics.AddMeter("ProMTA.Throttling")</c>): current limits and rates per source IP x provider, mode changes,
/// and replies by class.
/// </summary>
public sealed class ThrottlingMetrics : IDisposable
{
    /// <summary>The meter name to subscribe to.</summary>
    public const string MeterName = "ProMTA.Throttling";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _modeChanges;
    private readonly Counter<long> _replies;

    /// <summary>Creates the instruments; the gauges read <paramref name="snapshot"/> when collected.</summary>
    public ThrottlingMetrics(IMeterFactory? meterFactory, Func<ThrottleSnapshot> snapshot)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);

        _meter.CreateObservableGauge("promta.throttling.rate_limit",
            () => snapshot().Lanes.Select(l => new Measurement<double>(l.RatePerMinute, LaneTags(l))),
            unit: "{message}/min", description: "Current allowed sending rate per source IP x provider.");
        _meter.CreateObservableGauge("promta.throttling.connection_limit",
            () => snapshot().Lanes.Select(l => new Measurement<int>(l.AllowedConnections, LaneTags(l))),
            unit: "{connection}", description: "Current allowed concurrent connections per source IP x provider.");
        _meter.CreateObservableGauge("promta.throttling.acceptance_rate",
            () => snapshot().Lanes.Select(l => new Measurement<double>(l.AcceptanceRate, LaneTags(l))),
            unit: "1", description: "Share of recent attempts the provider accepted.");
        _meter.CreateObservableGauge("promta.throttling.deferral_rate",
            () => snapshot().Lanes.Select(l => new Measurement<double>(l.DeferralRate, LaneTags(l))),
            unit: "1", description: "Share of recent attempts the provider deferred.");
        _meter.CreateObservableGauge("promta.throttling.mode",
            () => snapshot().Lanes.Select(l => new Measurement<int>((int)l.Mode, LaneTags(l))),
            description: "Current lane mode: 0 Normal, 1 Backoff, 2 Suspended, 3 WarmingUp.");
        _modeChanges = _meter.CreateCounter<long>("promta.throttling.mode_changes", unit: "{change}",
            description: "Lane mode changes (Normal, Backoff, Suspended, WarmingUp).");
        _replies = _meter.CreateCounter<long>("promta.throttling.replies", unit: "{reply}",
            description: "Replies recorded, by class.");
    }

    internal void ModeChanged(ModeChange change)
    {
        if (!_modeChanges.Enabled) return;
        _modeChanges.Add(1,
            new KeyValuePair<string, object?>("source_ip", change.SourceIp),
            new KeyValuePair<string, object?>("provider", change.Provider),
            new KeyValuePair<string, object?>("from", change.From.ToString()),
            new KeyValuePair<string, object?>("to", change.To.ToString()));
    }

    internal void ReplyRecorded(string sourceIp, string provider, ReplyClass replyClass)
    {
        if (!_replies.Enabled) return;
        _replies.Add(1,
            new KeyValuePair<string, object?>("source_ip", sourceIp),
            new KeyValuePair<string, object?>("provider", provider),
            new KeyValuePair<string, object?>("class", replyClass.ToString()));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsMeter) _meter.Dispose();
    }

    private static KeyValuePair<string, object?>[] LaneTags(LaneSnapshot lane) =>
    [
        new("source_ip", lane.SourceIp),
        // No mode tag here: a tag that changes would leave a stale series behind at every change.
        new("provider", lane.Provider),
    ];
}
