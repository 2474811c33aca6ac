using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Data;

/// <summary>The states of a demo request (demo_requests.status): Received, Scheduled (may be moved), Done (final).</summary>
public static class DemoRequestStatus
{
    public const string Received = "Received";
    public const string Scheduled = "Scheduled";
    public const string Done = "Done";
}

public sealed record DemoRequestRow
{
    public Guid Id { get; init; }
    public string Name { get; init; } = "";
    public string Email { get; init; } = "";
    public string? Company { get; init; }
    public string[] PreferredTimes { get; init; } = [];
    public string Status { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ScheduledFor { get; init; }
}

public sealed class DemoRequestRepository(Database db)
{
    private const string InsertSql = """
        INSERT INTO demo_requests (id, name, email, company, preferred_times, created_at)
        VALUES (@Id, @Name, @Email, @Company, @PreferredTimes, @CreatedAt)
        """;
    private const string ListSql = """
        SELECT id, name, email, company, preferred_times, status, created_at, scheduled_for FROM demo_requests
        ORDER BY status = 'Done', created_at DESC, id LIMIT @Limit OFFSET @Offset
        """;
    private const string CountSql = "SELECT count(*) FROM demo_requests";
    private const string FindSql = "SELECT id, name, email, company, preferred_times, status, created_at, scheduled_for FROM demo_requests WHERE id = @Id";
    // The WHERE is the forward-only guard: a done request is never scheduled again.
    private const string ScheduleSql = """
        UPDATE demo_requests SET status = 'Scheduled', scheduled_for = @At, handled_by = @StaffId, updated_at = @Now
        WHERE id = @Id AND status <> 'Done'
        RETURNING id, name, email, company, preferred_times, status, created_at, scheduled_for
        """;
    private const string DoneSql = """
        UPDATE demo_requests SET status = 'Done', handled_by = @StaffId, updated_at = @Now
        WHERE id = @Id AND status <> 'Done'
        RETURNING id, name, email, company, preferred_times, status, created_at, scheduled_for
        """;

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

    public async Task<DemoRequestRow?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<DemoRequestRow>(FindSql, new { Id = id });
    }

    /// <summary>Schedules (or moves) the demo; null when the request is done or unknown.</summary>
    public async Task<DemoRequestRow?> ScheduleAsync(Guid id, DateTimeOffset at, Guid staffId, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<DemoRequestRow>(ScheduleSql, new { Id = id, At = at, StaffId = staffId, Now = now });
    }

    /// <summary>Marks the request done; null when it was done already or is unknown.</summary>
    public async Task<DemoRequestRow?> DoneAsync(Guid id, Guid staffId, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<DemoRequestRow>(DoneSql, new { Id = id, StaffId = staffId, Now = now });
    }
}
