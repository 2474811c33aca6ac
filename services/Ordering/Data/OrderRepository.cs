using Dapper;
using ProMTA.Contracts.Ordering;
using ProMTA.Ordering.Domain;
using ProMTA.Ordering.Domains;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Data;

public sealed record NewOrder(
    Guid OrderId, Guid ServiceId, Guid CustomerId, string ProductId, string IdempotencyKey, byte[] RequestHash,
    string? SendingDomain, string? SpecialRequirements, DateTimeOffset CreatedAt);

public sealed record OrderRow(Guid Id, Guid ServiceId, Guid CustomerId, string ProductId, string Status, byte[] RequestHash, DateTimeOffset CreatedAt);

public sealed record OrderInReview(Guid OrderId, Guid ServiceId, Guid CustomerId, string CustomerEmail, string ProductId, string? SpecialRequirements, DateTimeOffset CreatedAt);

public sealed record TimelineRow(string Status, DateTimeOffset At, string? Detail);

public sealed class OrderRepository(Database db)
{
    private const string InsertOrderSql = """
        INSERT INTO orders (id, customer_id, service_id, product_id, idempotency_key, request_hash, status, status_rank,
                            sending_domain, special_requirements, created_at)
        VALUES (@OrderId, @CustomerId, @ServiceId, @ProductId, @IdempotencyKey, @RequestHash, @Status, @Rank,
                @SendingDomain, @SpecialRequirements, @CreatedAt)
        ON CONFLICT (customer_id, idempotency_key) DO NOTHING
        """;
    private const string InsertServiceSql = """
        INSERT INTO services (id, customer_id, order_id, product_id, status, created_at)
        VALUES (@ServiceId, @CustomerId, @OrderId, @ProductId, @Status, @CreatedAt)
        """;
    private const string InsertTimelineSql = """
        INSERT INTO order_timeline (order_id, status, at, detail) VALUES (@OrderId, @Status, @At, @Detail)
        """;
    private const string AdvanceSql = """
        UPDATE orders SET status = @Status, status_rank = @Rank WHERE id = @OrderId AND status_rank < @Rank
        """;
    private const string OrderColumns = "id, service_id, customer_id, product_id, status, request_hash, created_at";
    private const string FindByKeySql = $"SELECT {OrderColumns} FROM orders WHERE customer_id = @CustomerId AND idempotency_key = @IdempotencyKey";
    private const string FindSql = $"SELECT {OrderColumns} FROM orders WHERE id = @OrderId AND customer_id = @CustomerId";
    private const string FindAnySql = $"SELECT {OrderColumns} FROM orders WHERE id = @OrderId";
    private const string ListSql = $"""
        SELECT {OrderColumns} FROM orders WHERE customer_id = @CustomerId
        ORDER BY created_at DESC, id LIMIT @Limit OFFSET @Offset
        """;
    private const string CountSql = "SELECT count(*) FROM orders WHERE customer_id = @CustomerId";
    // @AccountManagerId NULL: an operator's view of every order in review; else the account manager's customers' only.
    private const string InReviewColumns = """
        SELECT o.id AS order_id, o.service_id, o.customer_id, c.email AS customer_email, o.product_id, o.special_requirements, o.created_at
        FROM orders o JOIN customers c ON c.id = o.customer_id
        WHERE o.status = 'InReview' AND (@AccountManagerId::uuid IS NULL OR c.account_manager_id = @AccountManagerId)
        """;
    private const string InReviewSql = InReviewColumns + " ORDER BY o.created_at LIMIT @Limit OFFSET @Offset";
    private const string FindInReviewSql = InReviewColumns + " AND o.id = @OrderId";
    private const string InReviewCountSql = """
        SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id
        WHERE o.status = 'InReview' AND (@AccountManagerId::uuid IS NULL OR c.account_manager_id = @AccountManagerId)
        """;
    private const string ManagesSql = "SELECT EXISTS (SELECT 1 FROM customers WHERE id = @CustomerId AND account_manager_id = @AccountManagerId)";
    private const string LockForReviewSql = $"SELECT {OrderColumns} FROM orders WHERE id = @OrderId FOR UPDATE";
    private const string TimelineSql = "SELECT status, at, detail FROM order_timeline WHERE order_id = @OrderId ORDER BY at, id";

    /// <summary>
    /// Writes the order, its service, its sending-domain claim and its first timeline entry, and queues
    /// <paramref name="placed"/>, in one transaction. Not created when the customer already used this idempotency key,
    /// or (with the refusal) when the domain is claimed by another service: nothing is written either way.
    /// </summary>
    public async Task<(bool Created, DomainRefusal? Refusal)> TryCreateAsync(NewOrder order, OrderPlaced placed, CancellationToken ct)
    {
        await using var work = await db.BeginAsync(ct);
        var inserted = await work.ExecuteAsync(InsertOrderSql, new
        {
            order.OrderId, order.CustomerId, order.ServiceId, order.ProductId, order.IdempotencyKey, order.RequestHash,
            Status = OrderStatus.Placed, Rank = OrderStatus.Rank(OrderStatus.Placed),
            order.SendingDomain, order.SpecialRequirements, order.CreatedAt,
        });
        if (inserted == 0) return (false, null);
        if (order.SendingDomain is not null
            && await DomainClaims.TryClaimAsync(work, order.SendingDomain, order.ServiceId, order.CustomerId, order.OrderId, order.CreatedAt) is { } refusal)
        {
            return (false, refusal);
        }
        await work.ExecuteAsync(InsertServiceSql, new
        {
            order.ServiceId, order.CustomerId, order.OrderId, order.ProductId, Status = ServiceStatus.Pending, order.CreatedAt,
        });
        await AppendTimelineAsync(work, order.OrderId, OrderStatus.Placed, order.CreatedAt, null);
        await work.PublishAsync(placed);
        await work.CommitAsync(ct);
        return (true, null);
    }

    public async Task<OrderRow?> FindByIdempotencyKeyAsync(Guid customerId, string key, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<OrderRow>(FindByKeySql, new { CustomerId = customerId, IdempotencyKey = key });
    }

    /// <summary>The order if it belongs to the customer; another customer's order is indistinguishable from none.</summary>
    public async Task<OrderRow?> FindAsync(Guid customerId, Guid orderId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<OrderRow>(FindSql, new { CustomerId = customerId, OrderId = orderId });
    }

    /// <summary>Any customer's order: for staff routes only.</summary>
    public async Task<OrderRow?> FindAnyAsync(Guid orderId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<OrderRow>(FindAnySql, new { OrderId = orderId });
    }

    public async Task<(IReadOnlyList<OrderRow> Items, long Total)> ListAsync(Guid customerId, int page, int pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var items = await connection.QueryAsync<OrderRow>(ListSql, new { CustomerId = customerId, Limit = pageSize, Offset = (page - 1) * pageSize });
        var total = await connection.ExecuteScalarAsync<long>(CountSql, new { CustomerId = customerId });
        return (items.ToList(), total);
    }

    public async Task<IReadOnlyList<TimelineRow>> TimelineAsync(Guid orderId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<TimelineRow>(TimelineSql, new { OrderId = orderId })).ToList();
    }

    /// <summary>Orders waiting for review; <paramref name="accountManagerId"/> limits them to that manager's customers (null: all).</summary>
    public async Task<(IReadOnlyList<OrderInReview> Items, long Total)> InReviewAsync(Guid? accountManagerId, int page, int pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var items = await connection.QueryAsync<OrderInReview>(InReviewSql,
            new { AccountManagerId = accountManagerId, Limit = pageSize, Offset = (page - 1) * pageSize });
        return (items.ToList(), await connection.ExecuteScalarAsync<long>(InReviewCountSql, new { AccountManagerId = accountManagerId }));
    }

    public async Task<OrderInReview?> FindInReviewAsync(Guid? accountManagerId, Guid orderId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<OrderInReview>(FindInReviewSql, new { AccountManagerId = accountManagerId, OrderId = orderId });
    }

    /// <summary>Whether <paramref name="accountManagerId"/> manages the customer; null (an operator) manages everyone.</summary>
    public static async Task<bool> ManagesAsync(UnitOfWork work, Guid? accountManagerId, Guid customerId) =>
        accountManagerId is null || await work.ExecuteScalarAsync<bool>(ManagesSql, new { AccountManagerId = accountManagerId, CustomerId = customerId });

    /// <summary>Locks the order so two reviewers cannot decide it twice.</summary>
    public static Task<OrderRow?> LockAsync(UnitOfWork work, Guid orderId) => work.QuerySingleOrDefaultAsync<OrderRow>(LockForReviewSql, new { OrderId = orderId });

    /// <summary>Records a lifecycle event in the timeline and moves the status forward (never back).</summary>
    public static async Task AdvanceAsync(UnitOfWork work, Guid orderId, string status, DateTimeOffset at, string? detail)
    {
        await AppendTimelineAsync(work, orderId, status, at, detail);
        await work.ExecuteAsync(AdvanceSql, new { OrderId = orderId, Status = status, Rank = OrderStatus.Rank(status) });
    }

    public static Task AppendTimelineAsync(UnitOfWork work, Guid orderId, string status, DateTimeOffset at, string? detail) =>
        work.ExecuteAsync(InsertTimelineSql, new { OrderId = orderId, Status = status, At = at, Detail = detail });
}
