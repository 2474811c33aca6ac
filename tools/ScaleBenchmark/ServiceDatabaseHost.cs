using ProMTA.ServiceDefaults.Data;

namespace ProMTA.ScaleBenchmark;

/// <summary>
/// One service's database as the service itself opens it (its schema as search path, its migrations run first), for
/// the benchmark to call that service's own repositories and jobs in process.
/// </summary>
internal sealed class ServiceDatabaseHost(IHost host) : IAsyncDisposable
{
    public Database Db { get; } = host.Services.GetRequiredService<Database>();

    public static async Task<ServiceDatabaseHost> StartAsync(string connectionString, string schema, System.Reflection.Assembly migrations)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration[$"ConnectionStrings:{ServiceDatabaseExtensions.ConnectionName}"] = connectionString;
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddServiceDatabase(schema, migrations);
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
