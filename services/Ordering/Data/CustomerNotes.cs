using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Data;

public sealed record CustomerNote(Guid Id, string Text, Guid AuthorId, string AuthorName, DateTimeOffset CreatedAt);

/// <summary>The customer_notes table: staff notes on a customer, newest first.</summary>
public static class CustomerNotes
{
    private const string InsertSql = """
        INSERT INTO customer_notes (id, customer_id, author_id, text, created_at) VALUES (@Id, @CustomerId, @AuthorId, @Text, @CreatedAt)
        """;
    private const string ListSql = """
        SELECT n.id, n.text, n.author_id, a.name AS author_name, n.created_at
        FROM customer_notes n JOIN customers a ON a.id = n.author_id
        WHERE n.customer_id = @CustomerId ORDER BY n.created_at DESC, n.id LIMIT @Limit
        """;

    public static Task AddAsync(UnitOfWork work, Guid id, Guid customerId, Guid authorId, string text, DateTimeOffset now) =>
        work.ExecuteAsync(InsertSql, new { Id = id, CustomerId = customerId, AuthorId = authorId, Text = text, CreatedAt = now });

    public static async Task<IReadOnlyList<CustomerNote>> ListAsync(UnitOfWork work, Guid customerId, int limit) =>
        [.. await work.QueryAsync<CustomerNote>(ListSql, new { CustomerId = customerId, Limit = limit })];
}
