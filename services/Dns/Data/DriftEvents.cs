using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Data;

public sealed class DriftEventRow
{
    public Guid ServiceId { get; init; }
    public string Name { get; init; } = "";
    public string Type { get; init; } = "";
    public string Expected { get; init; } = "";
    public string Found { get; init; } = "";
    public DateTimeOffset DetectedAt { get; init; }
    public DateTimeOffset? RepairedAt { get; init; }
}

public static class DriftEvents
{
    private const string InsertSql = """
        INSERT INTO drift_events (service_id, name, type, expected, found, detected_at, repaired_at)
        VALUES (@ServiceId, @Name, @Type, @Expected, @Found, @DetectedAt, @RepairedAt)
        """;
    private const string SinceSql = """
        SELECT service_id, name, type, expected, found, detected_at, repaired_at FROM drift_events
        WHERE detected_at >= @Since ORDER BY detected_at DESC, id DESC LIMIT @Limit OFFSET @Offset
        """;
    private const string CountSinceSql = "SELECT count(*) FROM drift_events WHERE detected_at >= @Since";

    public static Task AddAsync(UnitOfWork work, DriftEventRow row) => work.ExecuteAsync(InsertSql, row);

    /// <summary>One page of the drift found since <paramref name="since"/>, newest first, and how many there are in all.</summary>
    public static async Task<(IReadOnlyList<DriftEventRow> Items, int Total)> SinceAsync(Database db, DateTimeOffset since, int offset, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var items = await connection.QueryAsync<DriftEventRow>(new CommandDefinition(SinceSql, new { Since = since, Offset = offset, Limit = limit }, cancellationToken: ct));
        var total = await connection.ExecuteScalarAsync<int>(new CommandDefinition(CountSinceSql, new { Since = since }, cancellationToken: ct));
        return (items.ToList(), total);
    }
}
