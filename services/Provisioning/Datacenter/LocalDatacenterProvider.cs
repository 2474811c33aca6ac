namespace ProMTA.Provisioning.Datacenter;

public sealed class LocalDatacenterOptions
{
    /// <summary>How long a server takes to come up; zero for tests, minutes to feel like a real datacenter.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    /// <summary>Share of calls (0..1) that fail like a busy datacenter API does; 0 locally unless trying the retry path.</summary>
    public double FailureRate { get; set; }

    /// <summary>Hostnames containing this text always fail to be created: an order that can never be set up, to see the alert.</summary>
    public string? AlwaysFailHostnameContaining { get; set; }
}

/// <summary>A failure the datacenter reports; worth retrying (the API was busy, the rack not ready).</summary>
public sealed class DatacenterException(string message) : Exception(message);

/// <summary>
/// The datacenter for local runs and tests: the loopback addresses of the pool are this machine's own, so the
/// "server" is this host and the IPs are bindable; only the delay and the failures of a real setup are simulated.
/// </summary>
public sealed class LocalDatacenterProvider(Microsoft.Extensions.Options.IOptions<LocalDatacenterOptions> options, TimeProvider time)
    : IDatacenterProvider
{
    public async Task<DatacenterServer> CreateServerAsync(Guid serviceId, string hostname, IReadOnlyList<string> ips, CancellationToken ct)
    {
        await SimulateAsync("create server", ct);
        var failOn = options.Value.AlwaysFailHostnameContaining;
        if (!string.IsNullOrEmpty(failOn) && hostname.Contains(failOn, StringComparison.OrdinalIgnoreCase))
        {
            throw new DatacenterException($"no capacity for {hostname}");
        }
        return new DatacenterServer($"local-{serviceId:N}", hostname, ips);
    }

    public Task AssignIpsAsync(string serverId, IReadOnlyList<string> ips, CancellationToken ct) => SimulateAsync("assign IPs", ct);

    public Task PowerAsync(string serverId, bool on, CancellationToken ct) => SimulateAsync(on ? "power on" : "power off", ct);

    public Task DecommissionAsync(string serverId, CancellationToken ct) => SimulateAsync("decommission", ct);

    private async Task SimulateAsync(string operation, CancellationToken ct)
    {
        if (options.Value.Delay > TimeSpan.Zero) await Task.Delay(options.Value.Delay, time, ct);
        if (options.Value.FailureRate > 0 && Random.Shared.NextDouble() < options.Value.FailureRate)
        {
            throw new DatacenterException($"datacenter API busy during {operation}");
        }
    }
}
