using System.Diagnostics.Metrics;

namespace ProMTA.TestKit;

/// <summary>An IMeterFactory for tests that builds services by hand; the meters it made can be observed and are disposed with it.</summary>
public sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> meters = [];

    public IReadOnlyList<Meter> Meters => meters;

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options);
        meters.Add(meter);
        return meter;
    }

    public void Dispose()
    {
        foreach (var meter in meters) meter.Dispose();
    }
}
