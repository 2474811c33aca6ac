using ProMTA.ServiceDefaults.Auth;
using Dapper;
using Microsoft.Extensions.Options;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Data;

/// <summary>
/// Creates or updates the configured staff account at start-up (after migrations). An existing customer account with
/// that email is never touched: whoever signed up with the staff address first must not become an operator.
/// </summary>
public sealed partial class StaffBootstrap(Database db, IOptions<StaffBootstrapOptions> options, TimeProvider time, ILogger<StaffBootstrap> log) : IHostedService
{
    private const string UpsertSql = """
        INSERT INTO customers (id, email, name, password_hash, role, created_at, email_verified_at)
        VALUES (@Id, @Email, 'ProMTA staff', @PasswordHash, @Role, @CreatedAt, @CreatedAt)
        ON CONFLICT ((lower(email))) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role
        WHERE customers.role <> 'customer'
        """;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var staff = options.Value;
        if (string.IsNullOrWhiteSpace(staff.Email) || string.IsNullOrEmpty(staff.Password)) return;
        if (staff.Role is not (Roles.AccountManager or Roles.Operator)) throw new InvalidOperationException($"Staff role {staff.Role} is not a staff role");
        var row = new
        {
            Id = Guid.CreateVersion7(),
            Email = staff.Email.Trim(),
            PasswordHash = ServiceDefaults.Security.PasswordHasher.Hash(staff.Password),
            staff.Role,
            CreatedAt = time.GetUtcNow(),
        };
        await StartupRetry.RunAsync(async ct =>
        {
            await using var connection = await db.OpenAsync(ct);
            if (await connection.ExecuteAsync(UpsertSql, row) == 0) CustomerHoldsStaffEmail(log, row.Email);
        }, "Creating the staff account", log, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The staff email {Email} belongs to a customer account; it was not made a staff account. Configure another Staff:Email")]
    private static partial void CustomerHoldsStaffEmail(ILogger logger, string email);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
