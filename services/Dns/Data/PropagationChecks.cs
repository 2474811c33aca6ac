using System.Text.Json;
using Dapper;
using ProMTA.Contracts.Provisioning;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Data;

// Settable properties, not a positional record: Dapper's constructor matching does not apply type handlers (timestamptz).
public sealed class PropagationCheckRow
{
    public Guid ServiceId { get; init; }
    public Guid OrderId { get; init; }
    public string Entries { get; init; } = "[]";
    public DateTimeOffset RequestedAt { get; init; }
    public int Attempts { get; init; }
    public DateTimeOffset NextCheckAt { get; init; }
    public DateTimeOffset? LastCheckedAt { get; init; }
    public string? Missing { get; init; }
    public DateTimeOffset? AlertedAt { get; init; }

    public IReadOnlyList<ReverseDnsEntry> EntryList => JsonSerializer.Deserialize<List<ReverseDnsEntry>>(Entries, PropagationChecks.Json) ?? [];
}

public static class PropagationChecks
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string Columns = "service_id, order_id, entries::text AS entries, requested_at, attempts, next_check_at, last_checked_at, missing, alerted_at";
    // A new request for the service (an operator's retry) starts the window again.
    private const string StartSql = $"""
        INSERT INTO propagation_checks (service_id, order_id, entries, requested_at, next_check_at)
        VALUES (@ServiceId, @OrderId, @Entries::jsonb, @Now, @Now)
        ON CONFLICT (service_id) DO UPDATE SET order_id = excluded.order_id, entries = excluded.entries, requested_at = excluded.requested_at,
            attempts = 0, next_check_at = excluded.next_check_at, last_checked_at = NULL, missing = NULL, alerted_at = NULL, propagated_at = NULL
        RETURNING {Columns}
        """;
    // SKIP LOCKED: each replica checks other services; a row stays locked only while its check runs.
    private const string ClaimDueSql = $"""
        SELECT {Columns} FROM propagation_checks
        WHERE propagated_at IS NULL AND next_check_at <= @Now
        ORDER BY next_check_at LIMIT @Limit FOR UPDATE SKIP LOCKED
        """;
    private const string RecordSql = """
        UPDATE propagation_checks SET attempts = attempts + 1, last_checked_at = @Now, missing = @Missing, next_check_at = @NextCheckAt,
            alerted_at = COALESCE(alerted_at, @AlertedAt), propagated_at = @PropagatedAt
        WHERE service_id = @ServiceId
        """;
    private const string PendingSql = $"SELECT {Columns} FROM propagation_checks WHERE propagated_at IS NULL ORDER BY requested_at";
    private const string DeleteSql = "DELETE FROM propagation_checks WHERE service_id = @ServiceId";

    public static Task<PropagationCheckRow> StartAsync(UnitOfWork work, Guid serviceId, Guid orderId, IReadOnlyList<ReverseDnsEntry> entries, DateTimeOffset now) =>
        work.QuerySingleOrDefaultAsync<PropagationCheckRow>(StartSql,
            new { ServiceId = serviceId, OrderId = orderId, Entries = JsonSerializer.Serialize(entries, Json), Now = now })!;

    public static async Task<IReadOnlyList<PropagationCheckRow>> ClaimDueAsync(UnitOfWork work, DateTimeOffset now, int limit) =>
        (await work.QueryAsync<PropagationCheckRow>(ClaimDueSql, new { Now = now, Limit = limit })).ToList();

    public static Task RecordAsync(UnitOfWork work, Guid serviceId, DateTimeOffset now, string? missing, DateTimeOffset nextCheckAt,
        DateTimeOffset? alertedAt, DateTimeOffset? propagatedAt) =>
        work.ExecuteAsync(RecordSql, new { ServiceId = serviceId, Now = now, Missing = missing, NextCheckAt = nextCheckAt, AlertedAt = alertedAt, PropagatedAt = propagatedAt });

    public static Task DeleteAsync(UnitOfWork work, Guid serviceId) => work.ExecuteAsync(DeleteSql, new { ServiceId = serviceId });

    /// <summary>Every service whose reverse DNS is not seen everywhere yet, oldest request first.</summary>
    public static async Task<IReadOnlyList<PropagationCheckRow>> PendingAsync(Database db, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<PropagationCheckRow>(new CommandDefinition(PendingSql, cancellationToken: ct))).ToList();
    }
}
