using System.Collections.Concurrent;
using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Trace;
using ProMTA.ServiceDefaults.Telemetry;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.ServiceDefaults.Tests;

/// <summary>
/// What an Npgsql span carries once the service defaults are set up: the SQL text only of a command that failed or was
/// slow (a lock wait, a scan), since the text of every fast one was a large part of what the exporter and the dashboard
/// handled per order. The span itself stays, with its duration.
/// </summary>
public sealed class SqlTextTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_fast_commands_span_has_no_sql_text()
    {
        var span = await SpanOfAsync("SELECT 1");

        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        Assert.Null(span.GetTagItem(SqlTextOfSlowOrFailedCommands.QueryTextTag));
    }

    [Fact]
    public async Task A_slow_commands_span_keeps_its_sql_text()
    {
        var span = await SpanOfAsync("SELECT pg_sleep(0.3)");

        Assert.Equal("SELECT pg_sleep(0.3)", span.GetTagItem(SqlTextOfSlowOrFailedCommands.QueryTextTag));
    }

    [Fact]
    public async Task A_failed_commands_span_keeps_its_sql_text()
    {
        var span = await SpanOfAsync("SELECT * FROM no_such_table");

        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("SELECT * FROM no_such_table", span.GetTagItem(SqlTextOfSlowOrFailedCommands.QueryTextTag));
    }

    /// <summary>Runs <paramref name="sql"/> inside a request's span and returns its Npgsql span as an exporter gets it.</summary>
    private async Task<Activity> SpanOfAsync(string sql)
    {
        var exported = new ConcurrentQueue<Activity>();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration[$"ConnectionStrings:{ServiceDatabaseExtensions.ConnectionName}"] = postgres.ConnectionString;
        builder.Configuration["Telemetry:SlowSqlMilliseconds"] = "200";
        builder.AddServiceDefaults();
        builder.AddServiceDatabase($"t_{Guid.NewGuid():N}"[..20], typeof(SqlTextTests).Assembly);
        // Registered after the defaults, like the OTLP exporter: it sees what the exporter would serialize.
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new Capture(exported)));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            // Recorded, like a sampled request: the tracer's parent-based sampler records its children.
            using var request = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();
            request.ActivityTraceFlags = ActivityTraceFlags.Recorded;
            await using (var connection = await host.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync())
            {
                try
                {
                    await connection.ExecuteAsync(sql);
                }
                catch (PostgresException)
                {
                    // the failed command's span is what this asks about
                }
            }
            // The request's own command, not the migrations' nor a physical connection's opening.
            return Assert.Single(exported, a => a.Source.Name == SqlTextOfSlowOrFailedCommands.NpgsqlSourceName
                && a.ParentSpanId == request.SpanId && !a.DisplayName.StartsWith("CONNECT"));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private sealed class Capture(ConcurrentQueue<Activity> exported) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity activity) => exported.Enqueue(activity);
    }
}
