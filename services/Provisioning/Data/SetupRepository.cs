using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Provisioning.Data;

public sealed record SetupRow(Guid ServiceId, Guid OrderId, int DedicatedIps, DateTimeOffset PaidAt, string Status);

public sealed class AttentionRow
{
    public Guid ServiceId { get; init; }
    public Guid OrderId { get; init; }
    public string Status { get; init; } = "";
    public DateTimeOffset PaidAt { get; init; }
    public DateTimeOffset? SetupDeadline { get; init; }
    public string? Failure { get; init; }
}

public static class SetupRepository
{
    private const string PendingIpsSql = "UPDATE setups SET dedicated_ips = @DedicatedIps WHERE service_id = @ServiceId AND status = 'AwaitingReview'";

    private const string InsertSql = """
        INSERT INTO setups (service_id, order_id, dedicated_ips, paid_at, status, setup_deadline)
        VALUES (@ServiceId, @OrderId, @DedicatedIps, @PaidAt, @Status, @SetupDeadline)
        ON CONFLICT (service_id) DO NOTHING
        """;
    private const string FindSql = """
        SELECT service_id, order_id, dedicated_ips, paid_at, status FROM setups WHERE service_id = @ServiceId FOR UPDATE
        """;
    private const string DoneSql = "UPDATE setups SET status = 'Done', setup_deadline = @SetupDeadline WHERE service_id = @ServiceId";

    private const string FailedSql = """
        UPDATE setups SET status = 'Failed', failure = @Failure, setup_deadline = @SetupDeadline WHERE service_id = @ServiceId
        """;
    // Not done and due within the window (or past it), failed, or waiting for a review longer than a day: what an
    // operator must look at today.
    private const string AttentionSql = """
        SELECT service_id, order_id, status, paid_at, setup_deadline, failure FROM setups
        WHERE status = 'Failed'
           OR (status <> 'Done' AND setup_deadline IS NOT NULL AND setup_deadline < @DueBefore)
           OR (status = 'AwaitingReview' AND setup_deadline IS NULL AND paid_at < @Now - interval '1 day')
        ORDER BY setup_deadline NULLS FIRST, paid_at
        """;

    public static Task MarkFailedAsync(UnitOfWork work, Guid serviceId, DateTimeOffset deadline, string failure) =>
        work.ExecuteAsync(FailedSql, new { ServiceId = serviceId, SetupDeadline = deadline, Failure = failure });

    public static async Task<IReadOnlyList<AttentionRow>> NeedingAttentionAsync(Database db, DateTimeOffset now, TimeSpan dueSoon, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await Dapper.SqlMapper.QueryAsync<AttentionRow>(connection,
            new Dapper.CommandDefinition(AttentionSql, new { Now = now, DueBefore = now + dueSoon }, cancellationToken: ct))).ToList();
    }

    /// <summary>A setup still waiting for its review will allocate this many IPs (a plan change before the server exists).</summary>
    public static Task<int> SetPendingIpsAsync(UnitOfWork work, Guid serviceId, int dedicatedIps) =>
        work.ExecuteAsync(PendingIpsSql, new { ServiceId = serviceId, DedicatedIps = dedicatedIps });

    public static Task AddAsync(UnitOfWork work, SetupRow setup, DateTimeOffset? deadline) =>
        work.ExecuteAsync(InsertSql, new { setup.ServiceId, setup.OrderId, setup.DedicatedIps, setup.PaidAt, setup.Status, SetupDeadline = deadline });

    public static Task<SetupRow?> FindForUpdateAsync(UnitOfWork work, Guid serviceId) =>
        work.QuerySingleOrDefaultAsync<SetupRow>(FindSql, new { ServiceId = serviceId });

    public static Task MarkDoneAsync(UnitOfWork work, Guid serviceId, DateTimeOffset deadline) =>
        work.ExecuteAsync(DoneSql, new { ServiceId = serviceId, SetupDeadline = deadline });
}
