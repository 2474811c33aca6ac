using RabbitMQ.Client;
using Xunit;

namespace ProMTA.TestKit;

/// <summary>
/// A real RabbitMQ node: the natively installed server started by eng/native/rabbitmq.sh (as the AppHost does) on
/// free ports with its own data. A broker that cannot start fails the tests; it is never skipped.
/// </summary>
public sealed class RabbitMqFixture : IAsyncLifetime
{
    private NativeServer? server;

    /// <summary>amqp://user:password@127.0.0.1:port, the form the services read from ConnectionStrings:rabbitmq.</summary>
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        var password = Guid.NewGuid().ToString("N");
        var data = Repository.NewDataDirectory("rmq");
        server = NativeServer.Start("rabbitmq.sh", data, new Dictionary<string, string>
        {
            ["RABBITMQ_DATA_DIR"] = data,
            ["AMQP_PORT"] = port.ToString(),
            ["DIST_PORT"] = FreePort.Next().ToString(),
            ["EPMD_PORT"] = FreePort.Next().ToString(),
            ["RABBITMQ_USER"] = "promta",
            ["RABBITMQ_PASSWORD"] = password,
        });
        ConnectionString = $"amqp://promta:{password}@127.0.0.1:{port}";
        await server.WaitUntilReadyAsync(async () =>
        {
            await using var connection = await ConnectAsync();
            return connection.IsOpen;
        }, TimeSpan.FromSeconds(90));
    }

    public Task<IConnection> ConnectAsync() => new ConnectionFactory { Uri = new Uri(ConnectionString) }.CreateConnectionAsync();

    public async Task DisposeAsync()
    {
        if (server is not null) await server.DisposeAsync();
    }
}
