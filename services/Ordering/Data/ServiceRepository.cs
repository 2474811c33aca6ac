using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Data;

/// <summary>A property record, not a positional one: Dapper binds text[] (read as System.Array) to string[] only through properties.</summary>
public sealed record ServiceRow
{
    public Guid Id { get; init; }
    public Guid OrderId { get; init; }
    public string ProductId { get; init; } = "";
    public string Status { get; init; } = "";
    public string[] Ips { get; init; } = [];
    public string? Hostname { get; init; }
    public string? SmtpUsername { get; init; }
    public string RelayMode { get; init; } = "";
    public int? BillingDay { get; init; }
    public DateOnly? PaidThrough { get; init; }
    public DateOnly? EndsOn { get; init; }
    public DateTimeOffset? SetupDeadline { get; init; }
    public DateTimeOffset? LiveAt { get; init; }
}

/// <summary>The customer's view of each service, kept up to date from the lifecycle events.</summary>
public sealed class ServiceRepository(Database db)
{
    private const string Columns = """
        id, order_id, product_id, status, ips, hostname, smtp_username, relay_mode, billing_day, paid_through, ends_on,
        setup_deadline, live_at
        """;
    // A service whose first payment failed was never created (issue 17): nothing to manage, so it is not shown (its
    // order still is, as PaymentFailed). A first payment completed later through the bank's pay link moves the order
    // on, and the service appears.
    private const string Created = "NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = services.order_id AND o.status = 'PaymentFailed')";
    private const string FindSql = $"SELECT {Columns} FROM services WHERE id = @ServiceId AND customer_id = @CustomerId AND {Created}";
    private const string ListSql = $"""
        SELECT {Columns} FROM services WHERE customer_id = @CustomerId AND {Created}
        ORDER BY created_at DESC, id LIMIT @Limit OFFSET @Offset
        """;
    private const string CountSql = $"SELECT count(*) FROM services WHERE customer_id = @CustomerId AND {Created}";
    private const string PaidSql = """
        UPDATE services SET billing_day = @BillingDay, paid_through = GREATEST(paid_through, @PaidThrough) WHERE id = @ServiceId
        """;
    private const string ProvisionedSql = """
        UPDATE services SET ips = @Ips, hostname = @Hostname, setup_deadline = @SetupDeadline WHERE id = @ServiceId
        """;
    private const string ActivatedSql = """
        UPDATE services SET status = CASE WHEN ends_on IS NULL THEN 'Active' ELSE 'Ending' END, smtp_username = @SmtpUsername, live_at = @LiveAt
        WHERE id = @ServiceId AND status = 'Pending'
        """;

    // A service cancelled while still being set up keeps its Pending status; only a running one becomes Ending.
    private const string EndingSql = """
        UPDATE services SET ends_on = @LastDay, status = CASE WHEN status = 'Active' THEN 'Ending' ELSE status END WHERE id = @ServiceId
        """;
    private const string EndedSql = "UPDATE services SET status = 'Ended', ends_on = @Today WHERE id = @ServiceId";
    private const string ClearEndingSql = """
        UPDATE services SET ends_on = NULL, status = CASE WHEN status = 'Ending' THEN 'Active' ELSE status END WHERE id = @ServiceId
        """;

    public async Task<ServiceRow?> FindAsync(Guid customerId, Guid serviceId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ServiceRow>(FindSql, new { CustomerId = customerId, ServiceId = serviceId });
    }

    public async Task<(IReadOnlyList<ServiceRow> Items, long Total)> ListAsync(Guid customerId, int page, int pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var items = await connection.QueryAsync<ServiceRow>(ListSql, new { CustomerId = customerId, Limit = pageSize, Offset = (page - 1) * pageSize });
        var total = await connection.ExecuteScalarAsync<long>(CountSql, new { CustomerId = customerId });
        return (items.ToList(), total);
    }

    /// <summary>paid_through is the last day of the paid period (the period end is exclusive).</summary>
    public static Task MarkPaidAsync(UnitOfWork work, Guid serviceId, int billingDay, DateOnly periodEndExclusive) =>
        work.ExecuteAsync(PaidSql, new { ServiceId = serviceId, BillingDay = billingDay, PaidThrough = periodEndExclusive.AddDays(-1) });

    public static Task MarkProvisionedAsync(UnitOfWork work, Guid serviceId, IReadOnlyList<string> ips, string hostname, DateTimeOffset setupDeadline) =>
        work.ExecuteAsync(ProvisionedSql, new { ServiceId = serviceId, Ips = ips.ToArray(), Hostname = hostname, SetupDeadline = setupDeadline });

    public static Task MarkEndingAsync(UnitOfWork work, Guid serviceId, DateOnly lastDay) =>
        work.ExecuteAsync(EndingSql, new { ServiceId = serviceId, LastDay = lastDay });

    // Events of one service may arrive out of order (two quick plan changes): each column follows its newest event.
    private const string ProductSql = """
        UPDATE services SET product_id = @ProductId, product_changed_at = @ChangedAt
        WHERE id = @ServiceId AND (product_changed_at IS NULL OR product_changed_at < @ChangedAt)
        """;
    private const string IpsSql = """
        UPDATE services SET ips = @Ips, ips_changed_at = @ChangedAt
        WHERE id = @ServiceId AND (ips_changed_at IS NULL OR ips_changed_at < @ChangedAt)
        """;

    /// <summary>Billing decides which product a service runs once ordered (plan changes); this copy follows PlanChanged.</summary>
    public static Task SetProductAsync(UnitOfWork work, Guid serviceId, string productId, DateTimeOffset changedAt) =>
        work.ExecuteAsync(ProductSql, new { ServiceId = serviceId, ProductId = productId, ChangedAt = changedAt });

    /// <summary>Provisioning owns the dedicated IPs; this copy follows DedicatedIpsChanged.</summary>
    public static Task SetIpsAsync(UnitOfWork work, Guid serviceId, IReadOnlyList<string> ips, DateTimeOffset changedAt) =>
        work.ExecuteAsync(IpsSql, new { ServiceId = serviceId, Ips = ips.ToArray(), ChangedAt = changedAt });

    private const string StatusSql = "UPDATE services SET status = @Status WHERE id = @ServiceId AND status <> 'Ended'";

    /// <summary>Suspension, resumption and termination come from Billing; an ended service stays ended.</summary>
    public static Task SetStatusAsync(UnitOfWork work, Guid serviceId, string status) =>
        work.ExecuteAsync(StatusSql, new { ServiceId = serviceId, Status = status });

    public static Task MarkEndedAsync(UnitOfWork work, Guid serviceId, DateTimeOffset at) =>
        work.ExecuteAsync(EndedSql, new { ServiceId = serviceId, Today = DateOnly.FromDateTime(at.UtcDateTime) });

    public static Task ClearEndingAsync(UnitOfWork work, Guid serviceId) => work.ExecuteAsync(ClearEndingSql, new { ServiceId = serviceId });

    public static Task MarkActiveAsync(UnitOfWork work, Guid serviceId, string smtpUsername, DateTimeOffset liveAt) =>
        work.ExecuteAsync(ActivatedSql, new { ServiceId = serviceId, SmtpUsername = smtpUsername, LiveAt = liveAt });

    // Events may arrive out of order (two quick switches): only a newer change than the one shown is applied.
    private const string RelayModeSql = """
        UPDATE services SET relay_mode = @Mode, relay_mode_changed_at = @ChangedAt
        WHERE id = @ServiceId AND (relay_mode_changed_at IS NULL OR relay_mode_changed_at < @ChangedAt)
        """;

    /// <summary>Delivery owns the relay mode; this copy follows its RelayModeChanged events.</summary>
    public static Task SetRelayModeAsync(UnitOfWork work, Guid serviceId, string mode, DateTimeOffset changedAt) =>
        work.ExecuteAsync(RelayModeSql, new { ServiceId = serviceId, Mode = mode, ChangedAt = changedAt });
}
