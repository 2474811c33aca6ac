using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Data;

public sealed record DemoRequestRow
{
    public Guid Id { get; init; }
    public string Name { get; init; } = "";
    public string Email { get; init; } = "";
    public string? Company { get; init; }
    public string[] PreferredTimes { get; init; } = [];
    public string Status { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
}

public sealed class DemoRequestRepository(Database db)
{
    private const string InsertSql = """
        INSERT INTO demo_requests (id, name, email, company, preferred_times, created_at)
        VALUES (@Id, @Name, @Email, @Company, @PreferredTimes, @CreatedAt)
        """;
    private const string ListSql = """
        SELECT id, name, email, company, preferred_times, status, created_at FROM demo_requests
        ORDER BY created_at DESC, id LIMIT @Limit OFFSET @Offset
        """;
    private const string CountSql = "SELECT count(*) FROM demo_requests";

    public async Task AddAsync(DemoRequestRow request, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(InsertSql, request);
    }

    public async Task<(IReadOnlyList<DemoRequestRow> Items, long Total)> ListAsync(int page, int pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var items = await connection.QueryAsync<DemoRequestRow>(ListSql, new { Limit = pageSize, Offset = (page - 1) * pageSize });
        return (items.ToList(), await connection.ExecuteScalarAsync<long>(CountSql));
    }
}
