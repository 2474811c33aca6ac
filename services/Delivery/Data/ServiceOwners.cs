using System.Security.Claims;
using Dapper;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

public static class ServiceOwners
{
    private const string InsertSql = """
        INSERT INTO service_owners (service_id, customer_id, order_id) VALUES (@ServiceId, @CustomerId, @OrderId)
        ON CONFLICT (service_id) DO NOTHING
        """;

    private const string IsOwnerSql = """
        SELECT EXISTS (SELECT 1 FROM service_owners WHERE service_id = @ServiceId AND customer_id = @CustomerId)
        """;

    private const string ExistsSql = "SELECT EXISTS (SELECT 1 FROM service_owners WHERE service_id = @ServiceId)";

    public static Task AddAsync(UnitOfWork work, Guid serviceId, Guid customerId, Guid orderId) =>
        work.ExecuteAsync(InsertSql, new { ServiceId = serviceId, CustomerId = customerId, OrderId = orderId });

    public static async Task<bool> IsOwnerAsync(Database db, Guid serviceId, Guid customerId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(IsOwnerSql, new { ServiceId = serviceId, CustomerId = customerId }, cancellationToken: ct));
    }

    /// <summary>Whether the service is known here at all (staff routes answer 404 for one that is not).</summary>
    public static async Task<bool> ExistsAsync(Database db, Guid serviceId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(ExistsSql, new { ServiceId = serviceId }, cancellationToken: ct));
    }

    /// <summary>The owner, or an operator for a service that exists: who may read and act on a service's mail. Anyone else is told nothing (404).</summary>
    public static async Task<bool> OwnerOrOperatorAsync(Database db, Guid serviceId, ClaimsPrincipal user, CancellationToken ct) =>
        user.IsInRole(Roles.Operator) ? await ExistsAsync(db, serviceId, ct) : await IsOwnerAsync(db, serviceId, user.CustomerId(), ct);
}
