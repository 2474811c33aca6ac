using ProMTA.ServiceDefaults.Data;
using ProMTA.MailPolicy.Replies;

namespace ProMTA.Delivery.Data;

/// <summary>A recipient a feedback report is about, as we queued and sent it.</summary>
public sealed record SentRecipient
{
    public long Id { get; init; }
    public Guid MessageId { get; init; }
    public Guid ServiceId { get; init; }
    public string Address { get; init; } = "";
    public string Domain { get; init; } = "";
    public string Provider { get; init; } = "";
    public string Status { get; init; } = "";
    public string? SourceIp { get; init; }
    /// <summary>When it was delivered (its last attempt ended): a complaint's age is the feedback loop's delay.</summary>
    public DateTimeOffset? CompletedAt { get; init; }
}

/// <summary>
/// What reports arriving after delivery change about a recipient: a late bounce turns Delivered into Bounced, a
/// complaint is an event of its own. Each is written once, whatever number of copies of the report arrive.
/// </summary>
public static class SentRecipients
{
    private const string FindSql = """
        SELECT id, message_id, service_id, address, domain, provider, status, source_ip, completed_at
        FROM recipients WHERE id = @Id AND service_id = @ServiceId
        """;

    // A complaint whose report lost our token and return path: the delivered recipients of the service's messages that
    // carried this Message-ID (usually one message; a resend makes more), newest first. Never another service's.
    private const string FindByHeaderMessageIdSql = """
        SELECT r.id, r.message_id, r.service_id, r.address, r.domain, r.provider, r.status, r.source_ip, r.completed_at
        FROM messages m JOIN recipients r ON r.message_id = m.id
        WHERE m.service_id = @ServiceId AND m.header_message_id = @HeaderMessageId AND r.service_id = @ServiceId AND r.status = 'Delivered'
        ORDER BY r.id DESC
        LIMIT 1000
        """;

    // Only a delivered recipient bounces late: one already bounced (its own report, or a second copy of this one) is
    // left alone. The sender hears of it as of a bounce at once (dsn_pending, RFC 3461 NOTIFY): the VERP return path
    // means the ISP's own report came to us, not to them.
    private const string BouncedSql = """
        WITH done AS (
            UPDATE recipients r
            SET status = 'Bounced', last_reply = @Reply, bounce_class = @BounceClass, completed_at = @Now,
                dsn_pending = r.dsn_notify IS NULL OR 'FAILURE' = ANY(string_to_array(r.dsn_notify, ','))
            WHERE r.id = @Id AND r.status = 'Delivered'
            RETURNING r.id, r.message_id, r.service_id, r.address, r.provider, r.source_ip
        )
        INSERT INTO delivery_events (service_id, message_id, recipient_id, recipient, provider, event, reply, source_ip, occurred_at)
        SELECT service_id, message_id, id, address, provider, 'bounced', @Reply, source_ip, @Now FROM done
        """;

    // The event names the IP the complained-about mail left from: the reputation panel counts complaints per IP.
    private const string ComplainedSql = """
        INSERT INTO delivery_events (service_id, message_id, recipient_id, recipient, provider, event, reply, source_ip, occurred_at)
        SELECT r.service_id, r.message_id, r.id, r.address, r.provider, 'complained', @Detail, r.source_ip, @Now
        FROM recipients r
        WHERE r.id = @Id
          AND NOT EXISTS (SELECT 1 FROM delivery_events e
                          WHERE e.service_id = r.service_id AND e.recipient_id = r.id AND e.event = 'complained')
        """;

    /// <summary>The recipient <paramref name="id"/> if it is one of <paramref name="serviceId"/>'s, else null.</summary>
    public static Task<SentRecipient?> FindAsync(UnitOfWork work, long id, Guid serviceId) =>
        work.QuerySingleOrDefaultAsync<SentRecipient>(FindSql, new { Id = id, ServiceId = serviceId });

    /// <summary>The delivered recipients of <paramref name="serviceId"/>'s messages whose Message-ID header is <paramref name="headerMessageId"/>, newest first.</summary>
    public static async Task<IReadOnlyList<SentRecipient>> FindByHeaderMessageIdAsync(UnitOfWork work, Guid serviceId, string headerMessageId) =>
        [.. await work.QueryAsync<SentRecipient>(FindByHeaderMessageIdSql, new { ServiceId = serviceId, HeaderMessageId = headerMessageId })];

    /// <summary>A delivered recipient bounced after all; false when it was not delivered (or already bounced).</summary>
    public static async Task<bool> BouncedAsync(UnitOfWork work, long id, string reply, BounceClass bounceClass, DateTimeOffset now) =>
        await work.ExecuteAsync(BouncedSql, new { Id = id, Reply = reply, BounceClass = bounceClass.ToString(), Now = now }) > 0;

    /// <summary>The recipient complained; false when a complaint about it was recorded before.</summary>
    public static async Task<bool> ComplainedAsync(UnitOfWork work, long id, string detail, DateTimeOffset now) =>
        await work.ExecuteAsync(ComplainedSql, new { Id = id, Detail = detail, Now = now }) > 0;
}
