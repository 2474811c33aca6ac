namespace ProMTA.Provisioning.Datacenter;

/// <summary>A dedicated server as the datacenter reports it.</summary>
public sealed record DatacenterServer(string ServerId, string Hostname, IReadOnlyList<string> Ips);

/// <summary>
/// The datacenter's API. Every call is idempotent (asking twice returns the same server, powering an running server on
/// is a no-op, decommissioning a gone server succeeds), so a retried setup or decommission never doubles anything.
/// </summary>
public interface IDatacenterProvider
{
    Task<DatacenterServer> CreateServerAsync(Guid serviceId, string hostname, IReadOnlyList<string> ips, CancellationToken ct);

    Task AssignIpsAsync(string serverId, IReadOnlyList<string> ips, CancellationToken ct);

    Task PowerAsync(string serverId, bool on, CancellationToken ct);

    Task DecommissionAsync(string serverId, CancellationToken ct);
}
