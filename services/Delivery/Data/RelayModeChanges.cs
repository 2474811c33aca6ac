using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

public sealed record RelayModeChange(Guid ServiceId, string FromMode, string ToMode, string ChangedBy, DateTimeOffset ChangedAt);

/// <summary>The audit of relay-mode switches (rule 18), written by <see cref="RelayAccounts.SetRelayModeAsync"/>.</summary>
public static class RelayModeChanges
{
    private const string ListSql = """
        SELECT service_id, from_mode, to_mode, changed_by, changed_at FROM relay_mode_changes
        WHERE @ServiceId::uuid IS NULL OR service_id = @ServiceId
        ORDER BY changed_at DESC, id DESC
        LIMIT @Limit OFFSET @Offset
        """;

    private const string CountSql = "SELECT count(*) FROM relay_mode_changes WHERE @ServiceId::uuid IS NULL OR service_id = @ServiceId";

    public static async Task<(IReadOnlyList<RelayModeChange> Items, long Total)> ListAsync(Database db, Guid? serviceId, int page, int pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var args = new { ServiceId = serviceId, Limit = pageSize, Offset = (page - 1) * pageSize };
        var items = await connection.QueryAsync<RelayModeChange>(new CommandDefinition(ListSql, args, cancellationToken: ct));
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(CountSql, args, cancellationToken: ct));
        return ([.. items], total);
    }
}
