using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>Why an address is suppressed (suppressions.reason).</summary>
public static class SuppressionReason
{
    /// <summary>The mailbox does not exist: refused at once, or a late bounce that came back to our VERP return path.</summary>
    public const string HardBounce = nameof(HardBounce);
    /// <summary>The recipient reported the mail as spam (an ARF report from the ISP's feedback loop).</summary>
    public const string Complaint = nameof(Complaint);
    /// <summary>The customer added it.</summary>
    public const string Manual = nameof(Manual);
    public const string Unsubscribe = nameof(Unsubscribe);

    public static readonly IReadOnlyList<string> All = [HardBounce, Complaint, Manual, Unsubscribe];
}

/// <summary>One suppressed address: <see cref="Reason"/> is a <see cref="SuppressionReason"/>, <see cref="Detail"/> what caused it.</summary>
public sealed record Suppression(string Address, string Reason, string? Detail, DateTimeOffset CreatedAt);

/// <summary>
/// The per-service suppression list: hard-bounced and complaining addresses are refused at RCPT until the customer
/// removes them.
/// </summary>
public static class Suppressions
{
    private const string ReasonSql = "SELECT reason FROM suppressions WHERE service_id = @ServiceId AND address = lower(@Address)";
    private const string ListSql = """
        SELECT address, reason, detail, created_at FROM suppressions WHERE service_id = @ServiceId
        ORDER BY created_at DESC, address LIMIT @Limit OFFSET @Offset
        """;
    private const string CountSql = "SELECT count(*) FROM suppressions WHERE service_id = @ServiceId";
    private const string AddSql = """
        INSERT INTO suppressions (service_id, address, reason, detail, created_at) VALUES (@ServiceId, lower(@Address), @Reason, @Detail, @Now)
        ON CONFLICT DO NOTHING
        """;
    // Many rows in one statement: an import is all or nothing, and an address already suppressed keeps its reason.
    private const string ImportSql = """
        INSERT INTO suppressions (service_id, address, reason, detail, created_at)
        SELECT @ServiceId, lower(a), r, 'imported by the customer', @Now FROM unnest(@Addresses, @Reasons) AS i (a, r)
        ON CONFLICT DO NOTHING
        """;
    /// <summary>
    /// Suppresses the addresses of recipients (a hard bounce, a complaint), with the recipient's last reply as detail
    /// unless @Detail is given; an address that is new on the list writes a suppressed event about the recipient that
    /// put it there (an address already listed keeps its reason and writes nothing).
    /// </summary>
    public const string AddForRecipientsSql = """
        WITH added AS (
            INSERT INTO suppressions (service_id, address, reason, detail, created_at)
            SELECT r.service_id, lower(r.address), @Reason, coalesce(@Detail, r.last_reply), @Now FROM recipients r WHERE r.id = ANY(@Ids)
            ON CONFLICT DO NOTHING
            RETURNING service_id, address, reason, detail
        )
        INSERT INTO delivery_events (service_id, message_id, recipient_id, recipient, provider, event, reply, occurred_at)
        SELECT r.service_id, r.message_id, r.id, r.address, r.provider, 'suppressed', a.reason || ': ' || coalesce(a.detail, ''), @Now
        FROM added a JOIN recipients r ON r.service_id = a.service_id AND lower(r.address) = a.address AND r.id = ANY(@Ids)
        """;

    // A refused RCPT has no message or recipient row yet: the event names the address only.
    private const string RefusedSql = """
        INSERT INTO delivery_events (service_id, recipient, provider, event, reply, occurred_at)
        VALUES (@ServiceId, @Address, @Provider, 'suppressed', @Reply, @Now)
        """;

    private const string ExportSql = "SELECT address, reason, detail, created_at FROM suppressions WHERE service_id = @ServiceId ORDER BY created_at, address";
    private const string RemoveSql = "DELETE FROM suppressions WHERE service_id = @ServiceId AND address = lower(@Address)";

    /// <summary>Why the address is suppressed for the service (a <see cref="SuppressionReason"/>), or null when it is not.</summary>
    public static async Task<string?> ReasonAsync(Database db, Guid serviceId, string address, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(ReasonSql, new { ServiceId = serviceId, Address = address }, cancellationToken: ct));
    }

    /// <summary>A message to a suppressed address was refused at RCPT: the suppressed event the customer's webhooks get.</summary>
    public static async Task RecordRefusedAsync(Database db, Guid serviceId, string address, string provider, string reply, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(RefusedSql,
            new { ServiceId = serviceId, Address = address, Provider = provider, Reply = reply, Now = now }, cancellationToken: ct));
    }

    /// <summary>The recipient's address goes on its service's list (in the report's transaction), with a suppressed event when it is new there.</summary>
    public static Task AddForRecipientAsync(UnitOfWork work, long recipientId, string reason, string detail, DateTimeOffset now) =>
        work.ExecuteAsync(AddForRecipientsSql, new { Ids = new[] { recipientId }, Reason = reason, Detail = detail, Now = now });

    public static async Task<(IReadOnlyList<Suppression> Items, long Total)> ListAsync(Database db, Guid serviceId, int page, int pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var items = await connection.QueryAsync<Suppression>(ListSql, new { ServiceId = serviceId, Limit = pageSize, Offset = (page - 1) * pageSize });
        return ([.. items], await connection.ExecuteScalarAsync<long>(CountSql, new { ServiceId = serviceId }));
    }

    public static async Task AddAsync(Database db, Guid serviceId, string address, string reason, string? detail, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(AddSql, new { ServiceId = serviceId, Address = address, Reason = reason, Detail = detail, Now = now });
    }

    /// <summary>Adds every row not yet suppressed; returns how many were new.</summary>
    public static async Task<int> ImportAsync(Database db, Guid serviceId, IReadOnlyList<(string Address, string Reason)> rows, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(ImportSql, new
        {
            ServiceId = serviceId, Now = now, Addresses = rows.Select(r => r.Address).ToArray(), Reasons = rows.Select(r => r.Reason).ToArray(),
        }, cancellationToken: ct));
    }

    /// <summary>The whole list, oldest first, read as it is written out (unbuffered: a list of a million rows is not held in memory).</summary>
    public static async IAsyncEnumerable<Suppression> ExportAsync(Database db, Guid serviceId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await foreach (var row in connection.QueryUnbufferedAsync<Suppression>(ExportSql, new { ServiceId = serviceId }).WithCancellation(ct)) yield return row;
    }

    public static async Task<bool> RemoveAsync(Database db, Guid serviceId, string address, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteAsync(RemoveSql, new { ServiceId = serviceId, Address = address }) > 0;
    }
}
