using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.TestKit;

/// <summary>
/// A service's database as the service itself sets it up (AddServiceDatabase: schema, migrations, outbox/inbox),
/// in a fresh schema of the fixture's PostgreSQL.
/// </summary>
public sealed class ServiceDatabaseHost(IHost host) : IAsyncDisposable
{
    public Database Database => host.Services.GetRequiredService<Database>();

    /// <summary>The service's container: its NpgsqlDataSource and ServiceSchema, for tests of the kit's own parts.</summary>
    public IServiceProvider Services => host.Services;

    /// <summary>Completes when the service's migrations have run.</summary>
    public Task Migrated => host.Services.GetRequiredService<MigrationState>().Completed;

    public static async Task<ServiceDatabaseHost> StartAsync(PostgresFixture postgres, Assembly migrations)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration[$"ConnectionStrings:{ServiceDatabaseExtensions.ConnectionName}"] = postgres.ConnectionString;
        builder.AddServiceDatabase($"t_{Guid.NewGuid():N}"[..20], migrations);
        var host = builder.Build();
        await host.StartAsync();
        return new ServiceDatabaseHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}
