namespace ProMTA.Provisioning.Datacenter;

/// <summary>A dedicated server as the datacenter reports it.</summary>
public sealed record DatacenterServer(string ServerId, string Hostname, IReadOnlyList<string> Ips);

/// <summary>The datacenter's API. Calls are idempotent per service: asking twice returns the same server.</summary>
public interface IDatacenterProvider
{
    Task<DatacenterServer> CreateServerAsync(Guid serviceId, string hostname, IReadOnlyList<string> ips, CancellationToken ct);
}
