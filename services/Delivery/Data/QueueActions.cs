using System.Text.Json;
using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>One queue action as the audit log shows it: who did what to which mail, and to how many recipients.</summary>
public sealed record QueueAction(long Id, string Action, JsonElement Filter, long Affected, string Actor, DateTimeOffset OccurredAt);

/// <summary>The audit log of queue control (pause, resume, purge, requeue), written in the action's own transaction.</summary>
public static class QueueActions
{
    public const string Pause = "pause";
    public const string Resume = "resume";
    public const string Purge = "purge";
    public const string Requeue = "requeue";

    private const string InsertSql = """
        INSERT INTO queue_actions (service_id, action, filter, affected, actor, occurred_at)
        VALUES (@ServiceId, @Action, @Filter::jsonb, @Affected, @Actor, @Now)
        """;

    private const string RecentSql = """
        SELECT id, action, filter::text AS filter, affected, actor, occurred_at
        FROM queue_actions WHERE service_id = @ServiceId
        ORDER BY occurred_at DESC, id DESC LIMIT @Limit
        """;

    public static Task RecordAsync(UnitOfWork work, Guid serviceId, string action, object filter, long affected, string actor, DateTimeOffset now) =>
        work.ExecuteAsync(InsertSql, new
        {
            ServiceId = serviceId, Action = action, Filter = JsonSerializer.Serialize(filter, JsonSerializerOptions.Web), Affected = affected, Actor = actor, Now = now,
        });

    public static async Task<IReadOnlyList<QueueAction>> RecentAsync(Database db, Guid serviceId, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(RecentSql, new { ServiceId = serviceId, Limit = limit }, cancellationToken: ct));
        return [.. rows.Select(r => new QueueAction(r.Id, r.Action, JsonDocument.Parse(r.Filter).RootElement.Clone(), r.Affected, r.Actor, r.OccurredAt))];
    }

    private sealed record Row
    {
        public long Id { get; init; }
        public string Action { get; init; } = "";
        public string Filter { get; init; } = "{}";
        public long Affected { get; init; }
        public string Actor { get; init; } = "";
        public DateTimeOffset OccurredAt { get; init; }
    }
}
