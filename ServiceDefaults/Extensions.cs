using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using ProMTA.ServiceDefaults.Http.Input;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every ProMTA service shares: telemetry, health endpoints, service discovery and resilient HTTP.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public const string ReadyTag = "ready";

    /// <summary>Below the orchestrator's 10 s probe timeout, so /health always answers.</summary>
    public static readonly TimeSpan HealthCheckTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Where a service describes its own routes; internal, the gateway publishes the merged public document.</summary>
    public const string OpenApiPath = "/internal/openapi/{documentName}.json";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        // A check that hangs (a pool with no free connection, a broker call that never returns) would hang /health
        // itself: the orchestrator's probe then times out with no word of which check it was. Bounded, the answer
        // comes in time and the service's log names the check ("Health check npgsql ... timed out").
        builder.Services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var check in options.Registrations.Where(r => r.Timeout == Timeout.InfiniteTimeSpan))
            {
                check.Timeout = HealthCheckTimeout;
            }
        });
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        builder.Services.AddProblemDetails();
        // Each service describes its own routes; the gateway merges the public ones into /openapi/v1.json.
        builder.Services.AddOpenApi();
        builder.Services.AddExceptionHandler<ProMTA.ServiceDefaults.Http.BadRequestExceptionHandler>();
        builder.Services.AddExceptionHandler<ProMTA.ServiceDefaults.Http.PeerUnavailableExceptionHandler>();
        // Binding failures throw (instead of answering an empty 400) so the handler above can explain them.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // Npgsql logs every command at Information: far too much for a service's log.
        builder.Logging.AddFilter("Npgsql", LogLevel.Warning);
        // The same for ASP.NET Core (three lines per request), HttpClient (four per call) and Polly (one per attempt,
        // successful ones too): every line is formatted, written to the console, read by DCP and stored twice by the
        // dashboard, and the request and call spans already say it. In the order pipeline they were most of the
        // log volume (tools/scripts/load.sh, docs/operations.md "Load"). Warnings and errors still come; a more
        // specific category in Logging:LogLevel (e.g. Microsoft.AspNetCore.Hosting.Diagnostics) still wins.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("MassTransit")
                .AddMeter("ProMTA.*"))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource("MassTransit")
                .AddSource(ProMTA.ServiceDefaults.Telemetry.SqlTextOfSlowOrFailedCommands.NpgsqlSourceName)
                // Before the OTLP exporter's processor (added below): the text is dropped before the batch is serialized.
                .AddProcessor(new ProMTA.ServiceDefaults.Telemetry.SqlTextOfSlowOrFailedCommands(
                    TimeSpan.FromMilliseconds(builder.Configuration.GetValue("Telemetry:SlowSqlMilliseconds", 100))))
                .AddSource(ProMTA.ServiceDefaults.Messaging.OutboxRelay.ActivitySourceName)
                // Health probes would drown the traces that matter.
                .AddAspNetCoreInstrumentation(o => o.Filter = ctx =>
                    !ctx.Request.Path.StartsWithSegments("/health") && !ctx.Request.Path.StartsWithSegments("/alive"))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }
        return builder;
    }

    /// <summary>First in every pipeline: errors without a body (bad JSON, 401, 404, 429) become RFC 7807 problem details.</summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>/alive: the process answers. /health: everything it needs (database, migrations, broker) is ready.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapOpenApi(OpenApiPath);
        app.MapHealthChecks("/health");
        app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") });
        // Services with messaging (not the gateway) answer for their part of an order's flow and their dead letters.
        if (app.Services.GetService<ProMTA.ServiceDefaults.Messaging.Flow.ConsumedMessages>() is not null)
        {
            app.MapPlatformEndpoints().MapMessagingEndpoints();
        }
        return app;
    }
}
