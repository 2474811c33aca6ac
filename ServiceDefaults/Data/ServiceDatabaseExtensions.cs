using System.Reflection;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ProMTA.ServiceDefaults.Data;

namespace Microsoft.Extensions.Hosting;

public static class ServiceDatabaseExtensions
{
    /// <summary>The connection name every service uses for the shared PostgreSQL database.</summary>
    public const string ConnectionName = "promta";

    /// <summary>Connections one process may hold (Database:MaxPoolSize; Npgsql's own default is 100).</summary>
    public const int DefaultMaxPoolSize = 20;

    /// <summary>
    /// Registers the service's <see cref="Npgsql.NpgsqlDataSource"/> with its own schema as search path, and runs
    /// the outbox/inbox kit's migrations and then the service's own (embedded <c>Data/Migrations/NNNN_*.sql</c>)
    /// before anything else starts.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDatabase(
        this IHostApplicationBuilder builder, string schema, Assembly migrations)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.AddTypeHandler(new DateOnlyTypeHandler());
        SqlMapper.AddTypeHandler(new DateTimeOffsetTypeHandler());
        var maxPoolSize = builder.Configuration.GetValue("Database:MaxPoolSize", DefaultMaxPoolSize);
        if (maxPoolSize < 1) throw new InvalidOperationException("Database:MaxPoolSize must be positive");
        builder.AddNpgsqlDataSource(ConnectionName, configureDataSourceBuilder: b =>
        {
            // Bounded: every replica of every service shares PostgreSQL's max_connections (deploy/ sets it per Deployment
            // and Deploy.Tests checks the sum), and a burst of orders on two cores opened 62 connections in Ordering
            // alone, each a fork, a SCRAM authentication and cold catalog caches and statement preparation for its
            // first queries. A request past the bound waits for a connection; past the pool's timeout it is a 503.
            b.ConnectionStringBuilder.MaxPoolSize = maxPoolSize;
            b.ConnectionStringBuilder.SearchPath = schema;
            // pg_stat_activity then says which service holds a connection or waits on a lock.
            b.ConnectionStringBuilder.ApplicationName ??= schema;
            // Only commands inside a request or a consumed message make spans: the outbox relay's polling
            // would otherwise fill the trace store with thousands of one-span traces.
            // No "received-first-response" event on every command's span: one more record per span to serialize and
            // store, and the span's duration already says how long the command took (docs/operations.md "CPU per order").
            b.ConfigureTracing(tracing => tracing
                .ConfigureCommandFilter(_ => System.Diagnostics.Activity.Current is not null)
                .EnableFirstResponseEvent(false));
            // Every service runs the same few dozen statements over and over (an order is ~90 of them): prepared on a
            // connection after their second use, PostgreSQL skips parsing and planning them (the relay benchmark's
            // PostgreSQL CPU per message fell by about a third). A statement whose best plan depends on its values
            // should be written as one statement per case, not "@X IS NULL OR ..." (Delivery's MessageTrails).
            b.ConnectionStringBuilder.MaxAutoPrepare = 64;
            b.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
            // A connection back in the pool is not reset (DISCARD ALL: ~40 round trips per order across the services).
            // Nothing leaves session state behind: no SET outside a transaction, no temporary tables, only transaction-
            // scoped advisory locks; the migrator releases its session lock and the outbox relay its LISTEN before they
            // give their connection back.
            b.ConnectionStringBuilder.NoResetOnClose = true;
        });
        builder.Services.AddSingleton(new ServiceSchema(schema, migrations));
        builder.Services.AddSingleton<MigrationState>();
        builder.Services.AddSingleton<Database>();
        // Registered before the bus and the relay: hosted services start in order, so nothing consumes
        // or publishes before the schema exists.
        builder.Services.AddHostedService<DatabaseMigrator>();
        builder.Services.AddHealthChecks().AddCheck<MigrationHealthCheck>("migrations", tags: [ServiceDefaultsExtensions.ReadyTag]);
        return builder;
    }
}
