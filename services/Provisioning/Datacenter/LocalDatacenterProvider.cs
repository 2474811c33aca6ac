namespace ProMTA.Provisioning.Datacenter;

public sealed class LocalDatacenterOptions
{
    /// <summary>How long a server takes to come up; zero for tests, minutes to feel like a real datacenter.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;
}

/// <summary>
/// The datacenter for local runs and tests: the loopback addresses of the pool are this machine's own, so the
/// "server" is this host and the IPs are bindable; only the delay of a real setup is simulated.
/// </summary>
public sealed class LocalDatacenterProvider(Microsoft.Extensions.Options.IOptions<LocalDatacenterOptions> options, TimeProvider time)
    : IDatacenterProvider
{
    public async Task<DatacenterServer> CreateServerAsync(Guid serviceId, string hostname, IReadOnlyList<string> ips, CancellationToken ct)
    {
        if (options.Value.Delay > TimeSpan.Zero) await Task.Delay(options.Value.Delay, time, ct);
        return new DatacenterServer($"local-{serviceId:N}", hostname, ips);
    }
}
