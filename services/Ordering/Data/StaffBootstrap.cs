using ProMTA.ServiceDefaults.Auth;
using Dapper;
using Microsoft.Extensions.Options;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Data;

/// <summary>Creates or updates the configured staff account at start-up (after migrations).</summary>
public sealed class StaffBootstrap(Database db, IOptions<StaffBootstrapOptions> options, TimeProvider time, ILogger<StaffBootstrap> log) : IHostedService
{
    private const string UpsertSql = """
        INSERT INTO customers (id, email, name, password_hash, role, created_at)
        VALUES (@Id, @Email, 'ProMTA staff', @PasswordHash, @Role, @CreatedAt)
        ON CONFLICT ((lower(email))) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role
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
            await connection.ExecuteAsync(UpsertSql, row);
        }, "Creating the staff account", log, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
