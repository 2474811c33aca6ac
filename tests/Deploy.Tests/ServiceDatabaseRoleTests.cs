using Microsoft.Extensions.Hosting;
using Npgsql;
using ProMTA.TestKit;

namespace ProMTA.Deploy.Tests;

/// <summary>
/// The promta-db Cluster's bootstrap against a real PostgreSQL: each service, logging in as its own role, migrates
/// its own schema (as it does at start) and cannot read another service's.
/// </summary>
public sealed class ServiceDatabaseRoleTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Each_service_role_migrates_its_own_schema_and_cannot_read_another()
    {
        var cluster = RenderedOverlay.Get("production").Single("Cluster", "promta-db");
        var initdb = cluster["spec"]!["bootstrap"]!["initdb"]!;
        var database = Manifests.String(initdb, "database")!;
        var owner = Manifests.String(initdb, "owner")!;

        // CloudNativePG: the application database and its owner, postInitApplicationSQL as the superuser inside it,
        // then the managed roles get LOGIN and the password of their Secret.
        // The fixture's server is this class's own, so its database can be made again the way the operator makes it.
        var superuser = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = "postgres" };
        await Sql.ExecuteAsync(superuser.ConnectionString, $"CREATE ROLE {owner} LOGIN", $"DROP DATABASE IF EXISTS {database} WITH (FORCE)", $"CREATE DATABASE {database} OWNER {owner}");
        NpgsqlConnection.ClearAllPools(); // the pooled connections to the dropped database are gone
        var application = new NpgsqlConnectionStringBuilder(superuser.ConnectionString) { Database = database };
        await Sql.ExecuteAsync(application.ConnectionString, [.. initdb["postInitApplicationSQL"]!.AsArray().Select(s => (string)s!)]);
        var passwords = new Dictionary<string, string>();
        foreach (var role in cluster["spec"]!["managed"]!["roles"]!.AsArray())
        {
            var name = Manifests.String(role, "name")!;
            passwords[name] = Guid.NewGuid().ToString("N");
            Assert.Equal("true", Manifests.String(role, "login"));
            await Sql.ExecuteAsync(superuser.ConnectionString, $"ALTER ROLE {name} LOGIN PASSWORD '{passwords[name]}'");
        }

        string As(string role) => new NpgsqlConnectionStringBuilder(application.ConnectionString) { Username = role, Password = passwords[role] }.ConnectionString;
        foreach (var service in Manifests.OnTheBus)
        {
            // The service's own start-up: AddServiceDatabase creates the schema and runs the outbox/inbox migrations.
            var builder = Host.CreateApplicationBuilder();
            builder.Configuration[$"ConnectionStrings:{ServiceDatabaseExtensions.ConnectionName}"] = As(service);
            builder.AddServiceDatabase(service, typeof(ServiceDatabaseRoleTests).Assembly);
            using var host = builder.Build();
            await host.StartAsync();
            await host.StopAsync();
        }

        await Sql.ExecuteAsync(As("billing"), "SELECT count(*) FROM billing.outbox_messages");
        var denied = await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(As("billing"), "SELECT count(*) FROM ordering.outbox_messages"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
    }
}
