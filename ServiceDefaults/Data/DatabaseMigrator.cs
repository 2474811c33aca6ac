using System.Reflection;
using Dapper;
using DbUp;
using DbUp.Engine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ProMTA.ServiceDefaults.Data;

/// <summary>
/// Applies the kit's and the service's DbUp scripts at start-up. Several replicas may start at once, so the
/// work runs under a PostgreSQL advisory lock; until the database answers it retries with backoff (StartupRetry).
/// </summary>
internal sealed class DatabaseMigrator(
    NpgsqlDataSource db, IConfiguration configuration, ServiceSchema schema, MigrationState state, ILogger<DatabaseMigrator> log)
    : IHostedService
{
    private const string LockSql = "SELECT pg_advisory_lock(hashtext(@Name))";
    private const string UnlockSql = "SELECT pg_advisory_unlock(hashtext(@Name))";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await StartupRetry.RunAsync(MigrateAsync, $"Migrating schema {schema.Name}", log, cancellationToken);
        state.MarkCompleted();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task MigrateAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(LockSql, new { schema.Name });
        try
        {
            await connection.ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS \"{schema.Name}\"");
            Upgrade(typeof(DatabaseMigrator).Assembly);
            Upgrade(schema.Migrations);
        }
        finally
        {
            await connection.ExecuteAsync(UnlockSql, new { schema.Name });
        }
    }

    private void Upgrade(Assembly scripts)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(configuration.GetConnectionString(ServiceDatabaseExtensions.ConnectionName))
        {
            SearchPath = schema.Name,
        }.ConnectionString;
        var result = DeployChanges.To.PostgresqlDatabase(connectionString, schema.Name)
            .WithScriptsEmbeddedInAssembly(scripts, name => name.Contains(".Migrations.", StringComparison.Ordinal))
            .JournalToPostgresqlTable(schema.Name, "schema_versions")
            .WithTransactionPerScript()
            .WithVariablesDisabled()
            .LogTo(new DbUpLog(log))
            .Build()
            .PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} of schema {schema.Name} failed", result.Error);
        }
    }

    private sealed class DbUpLog(ILogger log) : DbUp.Engine.Output.IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) { }
        public void LogDebug(string format, params object[] args) { }
        public void LogInformation(string format, params object[] args) => log.LogInformation("{DbUp}", string.Format(format, args));
        public void LogWarning(string format, params object[] args) => log.LogWarning("{DbUp}", string.Format(format, args));
        public void LogError(string format, params object[] args) => log.LogError("{DbUp}", string.Format(format, args));
        public void LogError(Exception ex, string format, params object[] args) => log.LogError(ex, "{DbUp}", string.Format(format, args));
    }
}
