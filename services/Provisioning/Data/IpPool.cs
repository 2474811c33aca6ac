using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Provisioning.Data;

/// <summary>The dedicated-IP pool. Every method runs in the caller's unit of work.</summary>
public static class IpPool
{
    private const string AllocatedSql = "SELECT host(address) FROM ip_addresses WHERE service_id = @ServiceId ORDER BY address";
    // SKIP LOCKED: concurrent allocations (other orders, other replicas) take different rows instead of waiting
    // and then double-claiming; the state check in the UPDATE keeps it correct even without the lock.
    private const string AllocateSql = """
        UPDATE ip_addresses SET state = 'allocated', service_id = @ServiceId, allocated_at = @Now
        WHERE address IN (
            SELECT address FROM ip_addresses WHERE state = 'free' ORDER BY address LIMIT @Count FOR UPDATE SKIP LOCKED)
          AND state = 'free'
        RETURNING host(address)
        """;

    private const string QuarantineSql = """
        UPDATE ip_addresses SET state = 'quarantined', last_service_id = service_id, service_id = NULL, quarantined_until = @Until
        WHERE service_id = @ServiceId AND state = 'allocated'
        RETURNING host(address)
        """;
    private const string DueSql = """
        SELECT host(address) FROM ip_addresses WHERE state = 'quarantined' AND quarantined_until <= @Now ORDER BY address LIMIT @Limit
        """;
    private const string QuarantineSomeSql = """
        UPDATE ip_addresses SET state = 'quarantined', last_service_id = service_id, service_id = NULL, quarantined_until = @Until
        WHERE service_id = @ServiceId AND state = 'allocated' AND address = ANY(@Ips::inet[])
        RETURNING host(address)
        """;
    // Guarded by the state and date again: another replica may have released or extended the same address meanwhile.
    private const string ReleaseSql = """
        UPDATE ip_addresses SET state = 'free', quarantined_until = NULL, allocated_at = NULL, blocklisted = NULL
        WHERE state = 'quarantined' AND quarantined_until <= @Now AND host(address) = ANY(@Addresses)
        """;
    private const string KeepSql = """
        UPDATE ip_addresses SET quarantined_until = @Until, blocklisted = @Reason
        WHERE state = 'quarantined' AND quarantined_until <= @Now AND host(address) = @Address
        """;

    /// <summary>Takes the service's addresses out of service until <paramref name="until"/>; none are free before then.</summary>
    public static async Task<IReadOnlyList<string>> QuarantineAsync(UnitOfWork work, Guid serviceId, DateTimeOffset until) =>
        (await work.QueryAsync<string>(QuarantineSql, new { ServiceId = serviceId, Until = until })).ToList();

    /// <summary>Quarantined addresses whose time is over (at most <paramref name="limit"/>), to check before they are released.</summary>
    public static async Task<IReadOnlyList<string>> DueForReleaseAsync(Database db, DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return [.. await connection.QueryAsync<string>(new CommandDefinition(DueSql, new { Now = now, Limit = limit }, cancellationToken: ct))];
    }

    /// <summary>Returns <paramref name="addresses"/> (quarantine over) to the pool; the count released.</summary>
    public static Task<int> ReleaseAsync(UnitOfWork work, IReadOnlyCollection<string> addresses, DateTimeOffset now) =>
        work.ExecuteAsync(ReleaseSql, new { Now = now, Addresses = addresses.ToArray() });

    /// <summary>Keeps a listed address quarantined until <paramref name="until"/>, with the reason.</summary>
    public static Task KeepQuarantinedAsync(UnitOfWork work, string address, string reason, DateTimeOffset now, DateTimeOffset until) =>
        work.ExecuteAsync(KeepSql, new { Address = address, Reason = reason, Now = now, Until = until });
    /// <summary>Takes some of the service's addresses out of service (a downgrade) until <paramref name="until"/>.</summary>
    public static async Task<IReadOnlyList<string>> QuarantineAsync(UnitOfWork work, Guid serviceId, IReadOnlyList<string> ips, DateTimeOffset until) =>
        (await work.QueryAsync<string>(QuarantineSomeSql, new { ServiceId = serviceId, Ips = ips.ToArray(), Until = until })).ToList();

    /// <summary>Claims <paramref name="count"/> more free addresses for a running service (an upgrade), in address order.</summary>
    public static async Task<IReadOnlyList<string>> AllocateMoreAsync(UnitOfWork work, Guid serviceId, int count, DateTimeOffset now)
    {
        var claimed = (await work.QueryAsync<string>(AllocateSql, new { ServiceId = serviceId, Count = count, Now = now })).ToList();
        if (claimed.Count < count)
        {
            throw new InvalidOperationException($"The IP pool has fewer than {count} free addresses for service {serviceId}");
        }
        return [.. claimed.OrderBy(System.Net.IPAddress.Parse, IpComparer.Instance)];
    }

    /// <summary>Returns addresses whose quarantine is over to the pool; the count released.</summary>
    public static Task<int> ReleaseQuarantinedAsync(UnitOfWork work, DateTimeOffset now) => work.ExecuteAsync(ReleaseSql, new { Now = now });

    /// <summary>The service's addresses: those it already holds (a redelivery), else newly claimed free ones.</summary>
    public static async Task<IReadOnlyList<string>> AllocateAsync(UnitOfWork work, Guid serviceId, int count, DateTimeOffset now)
    {
        var held = (await work.QueryAsync<string>(AllocatedSql, new { ServiceId = serviceId })).ToList();
        if (held.Count >= count) return held;
        var claimed = (await work.QueryAsync<string>(AllocateSql, new { ServiceId = serviceId, Count = count - held.Count, Now = now })).ToList();
        if (held.Count + claimed.Count < count)
        {
            throw new InvalidOperationException($"The IP pool has fewer than {count - held.Count} free addresses for service {serviceId}");
        }
        return [.. held, .. claimed.OrderBy(System.Net.IPAddress.Parse, IpComparer.Instance)];
    }

    private sealed class IpComparer : IComparer<System.Net.IPAddress>
    {
        public static readonly IpComparer Instance = new();
        public int Compare(System.Net.IPAddress? x, System.Net.IPAddress? y) =>
            x!.GetAddressBytes().AsSpan().SequenceCompareTo(y!.GetAddressBytes());
    }
}
