using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Data;

/// <summary>The topics a contact message can have (contact_messages.topic).</summary>
public static class ContactTopic
{
    public const string Sales = "sales";
    public const string Billing = "billing";
    public const string Support = "support";
    /// <summary>A business that cannot pay by card and asks for bank transfer (rule 8).</summary>
    public const string NoCard = "no-card";
    public const string Other = "other";

    public static readonly string[] All = [Sales, Billing, Support, NoCard, Other];
}

/// <summary>The states of a contact message (contact_messages.status).</summary>
public static class ContactStatus
{
    public const string Received = "Received";
    public const string Answered = "Answered";
}

public sealed record ContactMessageRow
{
    public Guid Id { get; init; }
    public string Name { get; init; } = "";
    public string Email { get; init; } = "";
    public string Topic { get; init; } = "";
    public string Message { get; init; } = "";
    public string Status { get; init; } = ContactStatus.Received;
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? AnsweredAt { get; init; }
}

public sealed class ContactMessageRepository(Database db)
{
    private const string InsertSql = """
        INSERT INTO contact_messages (id, name, email, topic, message, created_at) VALUES (@Id, @Name, @Email, @Topic, @Message, @CreatedAt)
        """;
    // Unanswered first, newest first within each.
    private const string ListSql = """
        SELECT id, name, email, topic, message, status, created_at, answered_at FROM contact_messages
        ORDER BY status = 'Answered', created_at DESC, id LIMIT @Limit OFFSET @Offset
        """;
    private const string CountSql = "SELECT count(*) FROM contact_messages";
    private const string AnsweredSql = """
        UPDATE contact_messages SET status = 'Answered', answered_at = COALESCE(answered_at, @Now), answered_by = COALESCE(answered_by, @StaffId)
        WHERE id = @Id
        """;

    public async Task AddAsync(ContactMessageRow message, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(InsertSql, message);
    }

    public async Task<(IReadOnlyList<ContactMessageRow> Items, long Total)> ListAsync(int page, int pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var items = await connection.QueryAsync<ContactMessageRow>(ListSql, new { Limit = pageSize, Offset = (page - 1) * pageSize });
        return (items.ToList(), await connection.ExecuteScalarAsync<long>(CountSql));
    }

    /// <summary>False when there is no such message; marking it again keeps the first answer's time and staff member.</summary>
    public async Task<bool> MarkAnsweredAsync(Guid id, Guid staffId, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteAsync(AnsweredSql, new { Id = id, StaffId = staffId, Now = now }) == 1;
    }
}
