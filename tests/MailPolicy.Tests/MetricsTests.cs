using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using ProMTA.MailPolicy.Metrics;
using Xunit;
using static ProMTA.MailPolicy.Tests.ControllerFixture;

namespace ProMTA.MailPolicy.Tests;

public sealed class MetricsTests
{
    [Fact]
    public void Rate_limits_and_mode_changes_are_published_on_the_meter()
    {
        var time = new FakeTimeProvider(T0);
        using var meters = new TestMeterFactory();
        using var controller = new ThrottleController(timeProvider: time, meterFactory: meters);
        var measurements = new List<(string Name, double Value, string? Provider)>();
        using var listener = new MeterListener();
        // Other tests run controllers in parallel on meters of the same name: listen to this one only.
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ThrottlingMetrics.MeterName && meters.Created(instrument.Meter)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Add((i.Name, v, ProviderOf(tags))));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => measurements.Add((i.Name, v, ProviderOf(tags))));
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Add((i.Name, v, ProviderOf(tags))));
        listener.Start();

        controller.TryAcquire(Ip, "gmail", Tenant);
        controller.Record(Ip, "gmail", Tenant, GmailRateLimited);
        listener.RecordObservableInstruments();

        Assert.Contains(measurements, m => m is { Name: "promta.throttling.rate_limit", Value: 210, Provider: "gmail" });
        Assert.Contains(measurements, m => m is { Name: "promta.throttling.deferral_rate", Value: 1, Provider: "gmail" });
        Assert.Contains(measurements, m => m is { Name: "promta.throttling.mode_changes", Provider: "gmail" });
        Assert.Contains(measurements, m => m is { Name: "promta.throttling.replies", Provider: "gmail" });
    }

    private static string? ProviderOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "provider") return tag.Value as string;
        }
        return null;
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            lock (_meters) _meters.Add(meter);
            return meter;
        }

        public bool Created(Meter meter)
        {
            lock (_meters) return _meters.Contains(meter);
        }

        public void Dispose()
        {
            lock (_meters) _meters.ForEach(m => m.Dispose());
        }
    }
}
