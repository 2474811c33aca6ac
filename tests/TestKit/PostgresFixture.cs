using Xunit;
using Npgsql;

namespace ProMTA.TestKit;

/// <summary>
/// A real PostgreSQL for repository tests: the natively installed server started by eng/native/postgres.sh on a
/// free port with its own data. A server that cannot start fails the tests; it is never skipped.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private NativeServer? server;

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        var password = Guid.NewGuid().ToString("N");
        var data = Repository.NewDataDirectory("pg");
        server = NativeServer.Start("postgres.sh", data, new Dictionary<string, string>
        {
            ["PG_DATA_DIR"] = data,
            ["PG_PORT"] = port.ToString(),
            ["PG_PASSWORD"] = password,
            ["PG_DATABASE"] = "promta",
        });
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Password={password};Database=promta;Include Error Detail=true";
        await server.WaitUntilReadyAsync(async () =>
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            return true;
        }, TimeSpan.FromSeconds(60));
    }

    /// <summary>A connection string whose search path is a fresh schema, so tests of one class never see each other's rows.</summary>
    public string ForSchema(string schema) => new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema }.ConnectionString;

    public async Task DisposeAsync()
    {
        if (server is not null) await server.DisposeAsync();
    }
}
