using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>A message with recipients that failed and whose sender has not been told yet; <see cref="Head"/> holds its headers.</summary>
public sealed record DsnMessage
{
    public Guid Id { get; init; }
    public Guid ServiceId { get; init; }
    public string MailFrom { get; init; } = "";
    public DateTimeOffset ReceivedAt { get; init; }
    /// <summary>The PTR names of the service's IPs: the report names its first one as the Reporting-MTA.</summary>
    public string[] SourceHostnames { get; init; } = [];
    /// <summary>RET (RFC 3461 4.3): "FULL", "HDRS" or null; with FULL, <see cref="FullMessage"/> is the whole stored message.</summary>
    public string? DsnRet { get; init; }
    public string? DsnEnvid { get; init; }
    public byte[]? FullMessage { get; init; }
    public byte[] Head { get; init; } = [];
}

public sealed record DsnRecipient
{
    public long Id { get; init; }
    public Guid MessageId { get; init; }
    public string Address { get; init; } = "";
    public string LastReply { get; init; } = "";
    public ProMTA.MailPolicy.Replies.BounceClass? BounceClass { get; init; }
    public DateTimeOffset LastAttemptAt { get; init; }
    public string? DsnOrcpt { get; init; }
}

/// <summary>The recipients flagged dsn_pending (set with their final status by <see cref="MessageQueue"/>), claimed per message.</summary>
public static class DsnQueue
{
    // Whole messages, locked, so two replicas never report the same message and a message's failures go out in one report.
    // Only the start of the stored message is read: the report carries the headers, not the body.
    // The candidates come first from the pending recipients' partial index, as an array (evaluated once), then their
    // messages by primary key: with `IN (subquery) LIMIT n` the planner expected to find n matches early in a scan of
    // messages and read the whole table each batch (390,000 rows/s at 20,000 services, tools/ScaleBenchmark api). A
    // few times the batch in candidates leaves work for a replica whose first picks another holds.
    private const string ClaimSql = """
        SELECT m.id, m.service_id, m.mail_from, m.received_at, substring(m.data from 1 for @HeadBytes) AS head,
               coalesce((SELECT a.source_hostnames FROM relay_accounts a WHERE a.service_id = m.service_id), '{}') AS source_hostnames
        FROM messages m
        WHERE m.id = ANY (ARRAY (SELECT DISTINCT message_id FROM recipients WHERE dsn_pending ORDER BY message_id LIMIT @Candidates))
        LIMIT @Limit
        FOR NO KEY UPDATE OF m SKIP LOCKED
        """;

    private const string RecipientsSql = """
        SELECT id, message_id, address, coalesce(last_reply, '') AS last_reply, bounce_class,
               coalesce(last_attempt_at, completed_at) AS last_attempt_at, dsn_orcpt
        FROM recipients WHERE dsn_pending AND message_id = ANY(@Ids)
        ORDER BY id
        """;

    // What the sender asked for at MAIL (RFC 3461), for the claimed messages that asked anything; the whole message only
    // for those that want it back (RET=FULL), the others' reports carry the headers read above.
    private const string ParametersSql = """
        SELECT id, dsn_ret, dsn_envid, CASE WHEN dsn_ret = 'FULL' THEN data END AS full_message
        FROM messages WHERE id = ANY(@Ids) AND (dsn_ret IS NOT NULL OR dsn_envid IS NOT NULL)
        """;

    private const string DoneSql = "UPDATE recipients SET dsn_pending = false WHERE id = ANY(@Ids)";

    public const int HeadBytes = 256 * 1024;

    public static async Task<IReadOnlyList<(DsnMessage Message, IReadOnlyList<DsnRecipient> Failed)>> ClaimAsync(UnitOfWork work, int limit)
    {
        var messages = (await work.QueryAsync<DsnMessage>(ClaimSql, new { HeadBytes, Limit = limit, Candidates = limit * 4 })).ToList();
        if (messages.Count == 0) return [];
        var parameters = (await work.QueryAsync<DsnMessage>(ParametersSql, new { Ids = messages.Select(m => m.Id).ToArray() })).ToDictionary(p => p.Id);
        messages = [.. messages.Select(m => parameters.TryGetValue(m.Id, out var p) ? m with { DsnRet = p.DsnRet, DsnEnvid = p.DsnEnvid, FullMessage = p.FullMessage } : m)];
        var recipients = (await work.QueryAsync<DsnRecipient>(RecipientsSql, new { Ids = messages.Select(m => m.Id).ToArray() })).ToLookup(r => r.MessageId);
        return [.. messages.Select(m => (m, (IReadOnlyList<DsnRecipient>)[.. recipients[m.Id]]))];
    }

    public static Task DoneAsync(UnitOfWork work, IEnumerable<long> recipientIds) =>
        work.ExecuteAsync(DoneSql, new { Ids = recipientIds.ToArray() });
}
