using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Provisioning.Data;

public sealed record SetupRow(Guid ServiceId, Guid OrderId, int DedicatedIps, DateTimeOffset PaidAt, string Status);

public static class SetupRepository
{
    private const string InsertSql = """
        INSERT INTO setups (service_id, order_id, dedicated_ips, paid_at, status, setup_deadline)
        VALUES (@ServiceId, @OrderId, @DedicatedIps, @PaidAt, @Status, @SetupDeadline)
        ON CONFLICT (service_id) DO NOTHING
        """;
    private const string FindSql = """
        SELECT service_id, order_id, dedicated_ips, paid_at, status FROM setups WHERE service_id = @ServiceId FOR UPDATE
        """;
    private const string DoneSql = "UPDATE setups SET status = 'Done', setup_deadline = @SetupDeadline WHERE service_id = @ServiceId";

    public static Task AddAsync(UnitOfWork work, SetupRow setup, DateTimeOffset? deadline) =>
        work.ExecuteAsync(InsertSql, new { setup.ServiceId, setup.OrderId, setup.DedicatedIps, setup.PaidAt, setup.Status, SetupDeadline = deadline });

    public static Task<SetupRow?> FindForUpdateAsync(UnitOfWork work, Guid serviceId) =>
        work.QuerySingleOrDefaultAsync<SetupRow>(FindSql, new { ServiceId = serviceId });

    public static Task MarkDoneAsync(UnitOfWork work, Guid serviceId, DateTimeOffset deadline) =>
        work.ExecuteAsync(DoneSql, new { ServiceId = serviceId, SetupDeadline = deadline });
}
