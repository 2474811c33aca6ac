using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>What an inbound message is (inbound_messages.kind).</summary>
public static class InboundKind
{
    /// <summary>A delivery status notification: multipart/report; report-type=delivery-status (RFC 3464).</summary>
    public const string Dsn = "dsn";
    /// <summary>An ARF feedback report: multipart/report; report-type=feedback-report (RFC 5965).</summary>
    public const string Arf = "arf";
    /// <summary>Anything else: replies, mail to postmaster@ and abuse@.</summary>
    public const string Mail = "mail";

    public static readonly string[] All = [Dsn, Arf, Mail];
}

/// <summary>The role mailboxes every mail domain must have (RFC 2142): staff read what arrives there, whoever it is for.</summary>
public static class RoleMailbox
{
    public const string Postmaster = "postmaster";
    public const string Abuse = "abuse";

    public static readonly string[] All = [Postmaster, Abuse];

    public static string? Of(IEnumerable<string> localParts) =>
        All.FirstOrDefault(role => localParts.Any(l => string.Equals(l, role, StringComparison.OrdinalIgnoreCase)));
}

/// <summary>One stored inbound message for one service and hosted domain, with what its classification found.</summary>
public sealed record NewInboundMessage(
    Guid Id, Guid ServiceId, string Kind, string Domain, string? Mailbox, string MailFrom, IReadOnlyList<string> Recipients,
    string? ClientIp, string? Helo, string? Subject, string? MessageId, IReadOnlyList<string> OriginalRecipients, IReadOnlyList<string?> Actions,
    IReadOnlyList<string?> Statuses, string? FeedbackType, string? OriginalMessageId, string? ForwardedTo, Guid? ForwardMessageId,
    byte[] Data, DateTimeOffset ReceivedAt);

/// <summary>An inbound message as staff list it (the raw message stays in the table).</summary>
public sealed record InboundMessage
{
    public Guid Id { get; init; }
    public Guid ServiceId { get; init; }
    public string Kind { get; init; } = "";
    public string Domain { get; init; } = "";
    public string? Mailbox { get; init; }
    public string MailFrom { get; init; } = "";
    public string[] Recipients { get; init; } = [];
    public string? ClientIp { get; init; }
    public string? Subject { get; init; }
    public string? MessageId { get; init; }
    public string[] OriginalRecipients { get; init; } = [];
    public string?[] Actions { get; init; } = [];
    public string?[] Statuses { get; init; } = [];
    public string? FeedbackType { get; init; }
    public string? OriginalMessageId { get; init; }
    public string? ForwardedTo { get; init; }
    public int Size { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
}

public static class InboundMessages
{
    private const string InsertSql = """
        INSERT INTO inbound_messages (id, service_id, kind, domain, mailbox, mail_from, recipients, client_ip, helo, subject, message_id,
                                      original_recipients, actions, statuses, feedback_type, original_message_id, forwarded_to,
                                      forward_message_id, size, data, received_at)
        VALUES (@Id, @ServiceId, @Kind, @Domain, @Mailbox, @MailFrom, @Recipients, @ClientIp, @Helo, @Subject, @MessageId,
                @OriginalRecipients, @Actions, @Statuses, @FeedbackType, @OriginalMessageId, @ForwardedTo,
                @ForwardMessageId, @Size, @Data, @ReceivedAt)
        """;

    private const string Filter = """
        WHERE (@Kind::text IS NULL OR kind = @Kind) AND (@Mailbox::text IS NULL OR mailbox = @Mailbox)
          AND (@ServiceId::uuid IS NULL OR service_id = @ServiceId)
        """;

    private const string ListSql = $"""
        SELECT id, service_id, kind, domain, mailbox, mail_from, recipients, client_ip, subject, message_id, original_recipients,
               actions, statuses, feedback_type, original_message_id, forwarded_to, size, received_at
        FROM inbound_messages
        {Filter}
        ORDER BY received_at DESC, id DESC
        LIMIT @Limit OFFSET @Offset
        """;

    private const string CountSql = $"SELECT count(*) FROM inbound_messages {Filter}";

    private const string DeleteReceivedSql = """
        DELETE FROM inbound_messages WHERE id IN (
            SELECT id FROM inbound_messages WHERE received_at < @Cutoff ORDER BY received_at LIMIT @Limit)
        """;

    public static async Task AddAsync(UnitOfWork work, NewInboundMessage m)
    {
        await work.ExecuteAsync(InsertSql, new
        {
            m.Id, m.ServiceId, m.Kind, m.Domain, m.Mailbox, m.MailFrom, Recipients = m.Recipients.ToArray(), m.ClientIp, m.Helo, m.Subject, m.MessageId,
            OriginalRecipients = m.OriginalRecipients.ToArray(), Actions = m.Actions.ToArray(), Statuses = m.Statuses.ToArray(), m.FeedbackType,
            m.OriginalMessageId, m.ForwardedTo, m.ForwardMessageId, Size = m.Data.Length, m.Data, m.ReceivedAt,
        });
    }

    /// <summary>Deletes what arrived before <paramref name="cutoff"/>, oldest first, in slices; returns how many.</summary>
    public static Task<long> DeleteReceivedBeforeAsync(Database db, DateTimeOffset cutoff, int slice, CancellationToken ct) =>
        SlicedDelete.RunAsync(db, DeleteReceivedSql, new { Cutoff = cutoff }, slice, ct);

    /// <summary>Newest first; every filter is optional.</summary>
    public static async Task<(IReadOnlyList<InboundMessage> Items, long Total)> ListAsync(
        Database db, string? kind, string? mailbox, Guid? serviceId, int page, int pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var args = new { Kind = kind, Mailbox = mailbox, ServiceId = serviceId, Limit = pageSize, Offset = (page - 1) * pageSize };
        var items = await connection.QueryAsync<InboundMessage>(new CommandDefinition(ListSql, args, cancellationToken: ct));
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(CountSql, args, cancellationToken: ct));
        return ([.. items], total);
    }
}
