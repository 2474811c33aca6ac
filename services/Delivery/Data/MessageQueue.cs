using Dapper;
using ProMTA.Delivery.Domain;
using ProMTA.MailPolicy.Replies;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>A recipient to queue; <paramref name="DsnNotify"/> and <paramref name="OriginalRecipient"/> are its RCPT's NOTIFY and ORCPT (RFC 3461).</summary>
public sealed record NewRecipient(string Address, string Domain, string Provider, string? DsnNotify = null, string? OriginalRecipient = null);

/// <summary>
/// An accepted message as it is queued: the raw bytes (trace header in front) and one row per recipient;
/// <paramref name="DsnReturn"/> ("FULL"/"HDRS") and <paramref name="EnvelopeId"/> are MAIL's RET and ENVID (RFC 3461);
/// <paramref name="HeaderMessageId"/> its Message-ID header without angle brackets (searches, complaints that lost our token);
/// <paramref name="Stream"/> bulk or transactional (<see cref="MailStream"/>), which all its recipients carry.
/// </summary>
public sealed record NewMessage(
    Guid Id, Guid ServiceId, string MailFrom, byte[] Data, string? ClientIp, IReadOnlyList<NewRecipient> Recipients,
    DateTimeOffset ReceivedAt, DateTimeOffset ExpiresAt, string? DsnReturn = null, string? EnvelopeId = null, string? HeaderMessageId = null,
    string Stream = MailStream.Bulk);

/// <summary>A recipient claimed for one delivery attempt, with what is needed to send to it.</summary>
public sealed record ClaimedRecipient
{
    public long Id { get; init; }
    public Guid MessageId { get; init; }
    public Guid ServiceId { get; init; }
    public string Address { get; init; } = "";
    public string Domain { get; init; } = "";
    public string Provider { get; init; } = "";
    public int Attempts { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    /// <summary>The end of this claim's lease: after it another claim may send the recipient again, so nothing of it may go then.</summary>
    public DateTimeOffset ClaimedUntil { get; init; }
    public string MailFrom { get; init; } = "";
    public string[] SourceIps { get; init; } = [];
    public string[] SourceHostnames { get; init; } = [];
    public string RelayMode { get; init; } = "managed";
    /// <summary>Bulk or transactional (<see cref="MailStream"/>): transactional is claimed first and served first on its egress path.</summary>
    public string Stream { get; init; } = MailStream.Bulk;
    public bool Transactional => Stream == MailStream.Transactional;
    /// <summary>Its last hand-back was a hold by our pacing: a hold now continues that episode (no new paced event).</summary>
    public bool Paced { get; init; }
    /// <summary>The address went on the service's suppression list after the message was queued: it is not sent.</summary>
    public bool Suppressed { get; init; }
}

/// <summary>
/// What one attempt did to a recipient, under the claim whose lease ends at <see cref="ClaimedUntil"/>: only that claim
/// may write it. <see cref="Event"/> is logged to delivery_events (null: our own pacing, nothing happened).
/// </summary>
public sealed record RecipientResult(
    long Id, DateTimeOffset ClaimedUntil, string Status, string Reply, string? SourceIp, bool Deferred, DateTimeOffset NextAttemptAt,
    BounceClass? BounceClass = null, string? Event = null);

public sealed record ProviderStatistics
{
    public string Provider { get; init; } = "";
    public long Sent { get; init; }
    public long Deferred { get; init; }
    public long Bounced { get; init; }
    public long QueueDepth { get; init; }
}

public static class MessageQueue
{
    // Several messages, all their recipients and the recipients' "accepted" events in one statement, so one round trip
    // and one commit: the relay's group commit. Foreign keys are checked at the end of the statement, when all rows are in.
    private const string InsertMessagesSql = """
        WITH m AS (
            INSERT INTO messages (id, service_id, mail_from, size, data, client_ip, received_at, dsn_ret, dsn_envid, header_message_id)
            SELECT id, service_id, mail_from, length(data), data, client_ip, received_at, dsn_ret, dsn_envid, header_message_id
            FROM unnest(@Ids, @ServiceIds, @MailFroms, @Datas, @ClientIps, @ReceivedAts, @DsnReturns, @EnvelopeIds, @HeaderMessageIds)
                 AS n (id, service_id, mail_from, data, client_ip, received_at, dsn_ret, dsn_envid, header_message_id)
            RETURNING 1
        ), inserted AS (
            INSERT INTO recipients (message_id, service_id, address, domain, provider, next_attempt_at, expires_at, dsn_notify, dsn_orcpt, stream, held)
            SELECT message_id, service_id, address, domain, provider, received_at, expires_at, dsn_notify, dsn_orcpt, stream,
                   -- Queued into a held lane: parked at once. KEY SHARE makes a hold being lifted wait for this row, so
                   -- the lift's own update sees it (a recipient is never left parked behind a lifted hold).
                   EXISTS (SELECT 1 FROM queue_holds h WHERE h.service_id = r.service_id AND h.provider IN ('*', r.provider) FOR KEY SHARE)
            FROM unnest(@RecipientMessageIds, @RecipientServiceIds, @Addresses, @Domains, @Providers, @RecipientReceivedAts, @ExpiresAts,
                        @DsnNotifies, @OriginalRecipients, @Streams)
                 AS r (message_id, service_id, address, domain, provider, received_at, expires_at, dsn_notify, dsn_orcpt, stream)
            -- A new recipient is due at once: its next_attempt_at is the time it was received.
            RETURNING id, message_id, service_id, address, provider, next_attempt_at AS received_at
        )
        INSERT INTO delivery_events (service_id, message_id, recipient_id, recipient, provider, event, occurred_at)
        SELECT service_id, message_id, id, address, provider, 'accepted', received_at FROM inserted
        """;

    // SKIP LOCKED lets several workers (or replicas) claim side by side; the lease (claimed_until) makes the claim
    // survive its one-statement transaction, and a crashed worker's recipients come back when the lease ends. No index
    // holds claimed_until, attempts or last_attempt_at, so a claim is a HOT update (no index entry written; migration
    // 0028 keeps room on each page for it): claimed rows stay in the due indexes, and the claim steps over those in
    // flight (at most what the egress paths may hold) instead of moving them out and back.
    // Only services whose relay is Active are delivered: a suspended service's queue is held, not dropped. Mail a
    // customer or operator holds (queue_holds) waits too: parked rows are outside the index, and the hold itself is
    // checked for a recipient queued in the instant the hold began.
    private const string ClaimSql = """
        WITH due AS (
            SELECT part.id FROM unnest(ARRAY['transactional', 'bulk'], ARRAY[@TransactionalLimit, @Limit]::int[]) AS l (stream, n)
            CROSS JOIN LATERAL (
                SELECT r.id FROM recipients r
                JOIN relay_accounts a ON a.service_id = r.service_id AND a.status = 'Active'
                WHERE r.stream = l.stream AND r.status = 'Queued' AND NOT r.held AND r.next_attempt_at <= @Now
                  AND (r.claimed_until IS NULL OR r.claimed_until <= @Now)
                  AND NOT EXISTS (SELECT 1 FROM queue_holds h WHERE h.service_id = r.service_id AND h.provider IN ('*', r.provider))
                ORDER BY r.next_attempt_at
                LIMIT l.n
                FOR UPDATE OF r SKIP LOCKED) AS part
        )
        UPDATE recipients r
        SET claimed_until = @LeaseUntil, attempts = r.attempts + 1, last_attempt_at = @Now
        FROM due, messages m, relay_accounts a
        WHERE r.id = due.id AND m.id = r.message_id AND a.service_id = r.service_id
        RETURNING r.id, r.message_id, r.service_id, r.address, r.domain, r.provider, r.attempts, r.expires_at, r.paced, r.stream, r.claimed_until,
                  m.mail_from, a.source_ips, a.source_hostnames, a.relay_mode,
                  -- A complaint or bounce about the address may have come in while this message waited (primary key probe).
                  EXISTS (SELECT 1 FROM suppressions s WHERE s.service_id = r.service_id AND s.address = lower(r.address)) AS suppressed
        """;

    // The same claim per provider and stream, each part limited to what that provider's lanes may send now in that
    // stream (the outbound claim loop asks the egress paths: transactional mail has its own room), so paced mail stays in
    // the queue untouched instead of being claimed and handed back (two row updates each time). A provider's
    // transactional part walks recipients_due_transactional, its bulk part recipients_due_by_provider. A label outside the catalogue (a provider table replaced since the
    // row was queued) is claimed by the strays part, which the loop asks for now and then (it reads past every due row).
    private const string ClaimPerProviderSql = """
        WITH due AS (
            SELECT part.id FROM unnest(@Providers::text[], @Streams::text[], @Limits::int[]) AS l (provider, stream, n)
            CROSS JOIN LATERAL (
                SELECT r.id FROM recipients r
                JOIN relay_accounts a ON a.service_id = r.service_id AND a.status = 'Active'
                WHERE r.provider = l.provider AND r.stream = l.stream AND r.status = 'Queued' AND NOT r.held AND r.next_attempt_at <= @Now
                  AND (r.claimed_until IS NULL OR r.claimed_until <= @Now)
                  AND NOT EXISTS (SELECT 1 FROM queue_holds h WHERE h.service_id = r.service_id AND h.provider IN ('*', r.provider))
                ORDER BY r.next_attempt_at
                LIMIT l.n
                FOR UPDATE OF r SKIP LOCKED) AS part
            UNION ALL
            SELECT stray.id FROM (
                SELECT r.id FROM recipients r
                JOIN relay_accounts a ON a.service_id = r.service_id AND a.status = 'Active'
                WHERE @Strays > 0 AND r.status = 'Queued' AND NOT r.held AND r.next_attempt_at <= @Now
                  AND (r.claimed_until IS NULL OR r.claimed_until <= @Now)
                  AND r.provider <> ALL(@Providers::text[])
                  AND NOT EXISTS (SELECT 1 FROM queue_holds h WHERE h.service_id = r.service_id AND h.provider IN ('*', r.provider))
                ORDER BY r.next_attempt_at
                LIMIT @Strays
                FOR UPDATE OF r SKIP LOCKED) AS stray
        )
        UPDATE recipients r
        SET claimed_until = @LeaseUntil, attempts = r.attempts + 1, last_attempt_at = @Now
        FROM due, messages m, relay_accounts a
        WHERE r.id = due.id AND m.id = r.message_id AND a.service_id = r.service_id
        RETURNING r.id, r.message_id, r.service_id, r.address, r.domain, r.provider, r.attempts, r.expires_at, r.paced, r.stream, r.claimed_until,
                  m.mail_from, a.source_ips, a.source_hostnames, a.relay_mode,
                  EXISTS (SELECT 1 FROM suppressions s WHERE s.service_id = r.service_id AND s.address = lower(r.address)) AS suppressed
        """;

    private const string LoadDataSql = """
        SELECT id, data FROM messages WHERE id = ANY(@Ids)
        """;

    // The status changes and their delivery events in one statement: the log costs no round trip per batch.
    // Only the claim a result was sent under may write it: once its lease ended another claim (another replica) may have
    // taken the recipient, and a late result must neither undo that claim's outcome (a deferral after its delivery
    // would send the message again) nor free the recipient while that claim sends it. The rows written are returned.
    // A recipient handed back still queued without a deferral was held by our own pacing and never offered to the
    // ISP: its claim does not count as an attempt (attempts drive the retry backoff).
    private const string CompleteSql = """
        WITH done AS (
            UPDATE recipients r
            SET status = o.status, last_reply = o.reply, source_ip = o.source_ip, bounce_class = o.bounce_class,
                deferrals = r.deferrals + CASE WHEN o.deferred THEN 1 ELSE 0 END,
                attempts = r.attempts - CASE WHEN o.status = 'Queued' AND NOT o.deferred THEN 1 ELSE 0 END,
                next_attempt_at = o.next_attempt_at, claimed_until = NULL,
                -- A hold (our pacing) starts or continues an episode; any attempt at the ISP ends it.
                paced = o.status = 'Queued' AND NOT o.deferred,
                completed_at = CASE WHEN o.status = 'Queued' THEN NULL ELSE @Now END,
                -- RFC 3461 4.1: a failure is reported unless the sender asked for NEVER or for a list without FAILURE.
                dsn_pending = r.dsn_pending OR (coalesce(o.event IN ('bounced', 'expired', 'suppressed'), false)
                                                AND (r.dsn_notify IS NULL OR 'FAILURE' = ANY(string_to_array(r.dsn_notify, ','))))
            FROM unnest(@Ids, @ClaimedUntils, @Statuses, @Replies, @SourceIps, @Deferred, @NextAttempts, @BounceClasses, @Events)
                 AS o (id, claimed_until, status, reply, source_ip, deferred, next_attempt_at, bounce_class, event)
            WHERE r.id = o.id AND r.claimed_until = o.claimed_until AND r.status = 'Queued'
            RETURNING r.id, r.message_id, r.service_id, r.address, r.provider, o.event, o.reply, o.source_ip
        ), logged AS (
            INSERT INTO delivery_events (service_id, message_id, recipient_id, recipient, provider, event, reply, source_ip, occurred_at)
            SELECT service_id, message_id, id, address, provider, event, reply, source_ip, @Now FROM done WHERE event IS NOT NULL
        )
        SELECT id FROM done
        """;
    // A recipient that does not exist is suppressed for its service, in the same transaction as its bounce; an
    // address new on the list is a suppressed event (Suppressions.AddForRecipientSql).
    private const string SuppressSql = Suppressions.AddForRecipientsSql;

    // Finished before the cutoff: no recipient queued, owed a bounce report, or final after the cutoff. Such a message
    // was received before the cutoff, so the messages are walked by arrival (BRIN messages_age); recipients go with
    // their message (ON DELETE CASCADE).
    private const string DeleteFinishedSql = """
        DELETE FROM messages
        WHERE id = ANY (ARRAY (
            SELECT m.id FROM messages m
            WHERE m.received_at < @Cutoff
              AND NOT EXISTS (SELECT 1 FROM recipients r
                              WHERE r.message_id = m.id AND (r.status = 'Queued' OR r.dsn_pending OR r.completed_at >= @Cutoff))
            LIMIT @Limit))
        """;

    private const string StatisticsSql = """
        SELECT provider,
               count(*) FILTER (WHERE status = 'Delivered') AS sent,
               coalesce(sum(deferrals), 0) AS deferred,
               count(*) FILTER (WHERE status = 'Bounced') AS bounced,
               count(*) FILTER (WHERE status = 'Queued') AS queue_depth
        FROM recipients WHERE service_id = @ServiceId
        GROUP BY provider ORDER BY provider
        """;

    /// <summary>The messages and all their recipients in one statement (one transaction): committed means durable, and only then 250.</summary>
    public static async Task EnqueueAsync(Database db, IReadOnlyList<NewMessage> messages, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(InsertMessagesSql, InsertParameters(messages), cancellationToken: ct));
    }

    /// <summary>The same inside the caller's transaction (DSNs are queued with the change that caused them).</summary>
    public static Task EnqueueAsync(UnitOfWork work, IReadOnlyList<NewMessage> messages) => work.ExecuteAsync(InsertMessagesSql, InsertParameters(messages));

    private static object InsertParameters(IReadOnlyList<NewMessage> messages)
    {
        var recipients = messages.SelectMany(m => m.Recipients.Select(r => (Message: m, Recipient: r))).ToList();
        return new
        {
            Ids = messages.Select(m => m.Id).ToArray(),
            ServiceIds = messages.Select(m => m.ServiceId).ToArray(),
            MailFroms = messages.Select(m => m.MailFrom).ToArray(),
            Datas = messages.Select(m => m.Data).ToArray(),
            ClientIps = messages.Select(m => m.ClientIp).ToArray(),
            // Npgsql writes timestamptz[] from UTC DateTimes.
            ReceivedAts = messages.Select(m => m.ReceivedAt.UtcDateTime).ToArray(),
            DsnReturns = messages.Select(m => m.DsnReturn).ToArray(),
            EnvelopeIds = messages.Select(m => m.EnvelopeId).ToArray(),
            HeaderMessageIds = messages.Select(m => m.HeaderMessageId).ToArray(),
            RecipientMessageIds = recipients.Select(x => x.Message.Id).ToArray(),
            RecipientServiceIds = recipients.Select(x => x.Message.ServiceId).ToArray(),
            Addresses = recipients.Select(x => x.Recipient.Address).ToArray(),
            Domains = recipients.Select(x => x.Recipient.Domain).ToArray(),
            Providers = recipients.Select(x => x.Recipient.Provider).ToArray(),
            RecipientReceivedAts = recipients.Select(x => x.Message.ReceivedAt.UtcDateTime).ToArray(),
            ExpiresAts = recipients.Select(x => x.Message.ExpiresAt.UtcDateTime).ToArray(),
            DsnNotifies = recipients.Select(x => x.Recipient.DsnNotify).ToArray(),
            OriginalRecipients = recipients.Select(x => x.Recipient.OriginalRecipient).ToArray(),
            Streams = recipients.Select(x => x.Message.Stream).ToArray(),
        };
    }

    /// <summary>Claims up to <paramref name="transactionalLimit"/> due transactional recipients, then up to <paramref name="limit"/> bulk ones, of any provider.</summary>
    public static async Task<IReadOnlyList<ClaimedRecipient>> ClaimAsync(
        Database db, DateTimeOffset now, TimeSpan lease, int transactionalLimit, int limit, CancellationToken ct)
    {
        // One statement, its own transaction: no BEGIN and COMMIT around it.
        await using var connection = await db.OpenAsync(ct);
        return [.. await connection.QueryAsync<ClaimedRecipient>(new CommandDefinition(ClaimSql,
            new { Now = now, LeaseUntil = now + lease, TransactionalLimit = transactionalLimit, Limit = limit }, cancellationToken: ct))];
    }

    /// <summary>
    /// Claims up to <paramref name="limits"/>[(label, stream)] due recipients of each provider label and stream, plus up
    /// to <paramref name="strays"/> of labels not among them (any stream).
    /// </summary>
    public static async Task<IReadOnlyList<ClaimedRecipient>> ClaimPerProviderAsync(
        Database db, DateTimeOffset now, TimeSpan lease, IReadOnlyDictionary<(string Label, string Stream), int> limits, int strays, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return [.. await connection.QueryAsync<ClaimedRecipient>(new CommandDefinition(ClaimPerProviderSql, new
        {
            Now = now,
            LeaseUntil = now + lease,
            Providers = limits.Keys.Select(k => k.Label).ToArray(),
            Streams = limits.Keys.Select(k => k.Stream).ToArray(),
            Limits = limits.Values.ToArray(),
            Strays = strays,
        }, cancellationToken: ct))];
    }

    public static async Task<IReadOnlyDictionary<Guid, byte[]>> LoadDataAsync(Database db, IEnumerable<Guid> messageIds, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(Guid Id, byte[] Data)>(new CommandDefinition(LoadDataSql, new { Ids = messageIds.ToArray() }, cancellationToken: ct));
        return rows.ToDictionary(r => r.Id, r => r.Data);
    }

    /// <summary>
    /// Writes the results (and their events) of the claims they were sent under; returns how many were written: a result
    /// whose claim had ended and was taken by another claim, or whose recipient left the queue, is not.
    /// </summary>
    public static async Task<int> CompleteAsync(Database db, IReadOnlyList<RecipientResult> results, DateTimeOffset now, CancellationToken ct)
    {
        if (results.Count == 0) return 0;
        await using var connection = await db.OpenAsync(ct);
        var suppressing = results.Where(r => r.BounceClass is { } c && c.Suppresses()).Select(r => r.Id).ToHashSet();
        // One statement commits by itself: a transaction (two more statements) only when a hard bounce's suppression
        // must commit with it.
        await using var transaction = suppressing.Count > 0 ? await connection.BeginTransactionAsync(ct) : null;
        var written = (await connection.QueryAsync<long>(new CommandDefinition(CompleteSql, new
        {
            Now = now,
            Ids = results.Select(r => r.Id).ToArray(),
            // Npgsql writes timestamptz[] from UTC DateTimes.
            ClaimedUntils = results.Select(r => r.ClaimedUntil.UtcDateTime).ToArray(),
            Statuses = results.Select(r => r.Status).ToArray(),
            Replies = results.Select(r => r.Reply).ToArray(),
            SourceIps = results.Select(r => r.SourceIp).ToArray(),
            Deferred = results.Select(r => r.Deferred).ToArray(),
            NextAttempts = results.Select(r => r.NextAttemptAt.UtcDateTime).ToArray(),
            BounceClasses = results.Select(r => r.BounceClass?.ToString()).ToArray(),
            Events = results.Select(r => r.Event).ToArray(),
        }, transaction, cancellationToken: ct))).ToList();
        if (transaction is not null)
        {
            var suppress = written.Where(suppressing.Contains).ToArray();
            if (suppress.Length > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition(SuppressSql,
                    new { Now = now, Ids = suppress, Reason = SuppressionReason.HardBounce, Detail = (string?)null }, transaction, cancellationToken: ct));
            }
            await transaction.CommitAsync(ct);
        }
        return written.Count;
    }

    /// <summary>Deletes the messages (bodies and recipients) whose every recipient was final before <paramref name="cutoff"/>, in slices; returns how many.</summary>
    public static Task<long> DeleteFinishedBeforeAsync(Database db, DateTimeOffset cutoff, int slice, CancellationToken ct) =>
        SlicedDelete.RunAsync(db, DeleteFinishedSql, new { Cutoff = cutoff }, slice, ct);

    public static async Task<IReadOnlyList<ProviderStatistics>> StatisticsAsync(Database db, Guid serviceId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return [.. await connection.QueryAsync<ProviderStatistics>(new CommandDefinition(StatisticsSql, new { ServiceId = serviceId }, cancellationToken: ct))];
    }
}
