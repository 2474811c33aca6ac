using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>A hold on a service's mail: one provider lane, or <see cref="QueueHolds.WholeService"/>.</summary>
public sealed record QueueHold
{
    public string Provider { get; init; } = "";
    public DateTimeOffset HeldAt { get; init; }
    public string HeldBy { get; init; } = "";
}

/// <summary>
/// Pausing and resuming a service's mail. The hold row is the truth the claim checks; its queued recipients are also
/// parked (recipients.held) so the claim's index skips them without reading them.
/// </summary>
public static class QueueHolds
{
    /// <summary>The provider value of a hold on every lane of the service.</summary>
    public const string WholeService = "*";

    private const string HoldSql = """
        INSERT INTO queue_holds (service_id, provider, held_at, held_by) VALUES (@ServiceId, @Provider, @Now, @Actor)
        ON CONFLICT (service_id, provider) DO NOTHING
        """;

    private const string ParkSql = """
        UPDATE recipients SET held = true
        WHERE service_id = @ServiceId AND status = 'Queued' AND NOT held AND (@Provider = '*' OR provider = @Provider)
        """;

    private const string ReleaseSql = "DELETE FROM queue_holds WHERE service_id = @ServiceId AND provider = @Provider";

    // Only what no remaining hold covers: resuming Gmail while the whole service is held leaves Gmail's mail parked.
    private const string UnparkSql = """
        UPDATE recipients r SET held = false
        WHERE r.service_id = @ServiceId AND r.status = 'Queued' AND r.held
          AND NOT EXISTS (SELECT 1 FROM queue_holds h WHERE h.service_id = r.service_id AND h.provider IN ('*', r.provider))
        """;

    private const string ListSql = "SELECT provider, held_at, held_by FROM queue_holds WHERE service_id = @ServiceId ORDER BY provider";

    /// <summary>Holds the lane (or the whole service) and parks its queued recipients; the count parked, or null if it was held already.</summary>
    public static async Task<long?> HoldAsync(UnitOfWork work, Guid serviceId, string provider, string actor, DateTimeOffset now)
    {
        var parameters = new { ServiceId = serviceId, Provider = provider, Actor = actor, Now = now };
        if (await work.ExecuteAsync(HoldSql, parameters) == 0) return null;
        return await work.ExecuteAsync(ParkSql, parameters);
    }

    /// <summary>Lifts the hold and un-parks what no other hold covers; the count released, or null if there was no such hold.</summary>
    public static async Task<long?> ReleaseAsync(UnitOfWork work, Guid serviceId, string provider)
    {
        var parameters = new { ServiceId = serviceId, Provider = provider };
        if (await work.ExecuteAsync(ReleaseSql, parameters) == 0) return null;
        return await work.ExecuteAsync(UnparkSql, parameters);
    }

    public static async Task<IReadOnlyList<QueueHold>> ListAsync(Database db, Guid serviceId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return [.. await connection.QueryAsync<QueueHold>(new CommandDefinition(ListSql, new { ServiceId = serviceId }, cancellationToken: ct))];
    }
}
