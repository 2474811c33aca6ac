using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Messaging;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.ServiceDefaults.Tests;

/// <summary>
/// /alive fails for a bus that has not become ready within the limit while RabbitMQ answers (only a restart recovers it),
/// never while RabbitMQ itself is away, and clears once the bus is ready. A host whose bus was never started stands for
/// the bus MassTransit gave up on: both report "Not ready: not started".
/// </summary>
public sealed class StuckBusCheckTests(PostgresFixture postgres, RabbitMqFixture rabbit)
    : IClassFixture<PostgresFixture>, IClassFixture<RabbitMqFixture>
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_bus_not_ready_past_the_limit_while_the_broker_answers_fails_liveness_until_it_is_ready()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = Build(rabbit.ConnectionString, clock);

        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host)).Status);
        clock.Advance(Limit - TimeSpan.FromSeconds(1));
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host)).Status);
        clock.Advance(TimeSpan.FromSeconds(2));
        var stuck = await CheckAsync(host);
        Assert.Equal(HealthStatus.Unhealthy, stuck.Status);
        Assert.Contains("RabbitMQ answers", stuck.Description);

        await host.StartAsync();
        try
        {
            Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host)).Status);
            // Ready once is a new start: a later wait is measured from its own beginning.
            clock.Advance(Limit * 2);
            Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host)).Status);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task A_bus_waiting_for_a_broker_that_does_not_answer_stays_alive()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = Build($"amqp://promta:nothing@127.0.0.1:{FreePort.Next()}", clock);

        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host)).Status);
        clock.Advance(Limit * 10);
        var waiting = await CheckAsync(host);
        Assert.Equal(HealthStatus.Healthy, waiting.Status);
        Assert.Contains("does not answer", waiting.Description);
    }

    private IHost Build(string broker, TimeProvider clock)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration[$"ConnectionStrings:{ServiceDatabaseExtensions.ConnectionName}"] = postgres.ConnectionString;
        builder.Configuration[$"ConnectionStrings:{MessagingExtensions.ConnectionName}"] = broker;
        builder.Configuration[$"{StuckBusOptions.Section}:Limit"] = Limit.ToString();
        builder.AddServiceDatabase("stuckbus", typeof(StuckBusCheckTests).Assembly);
        builder.AddMessaging("stuckbus");
        builder.Services.AddSingleton(clock);
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
        return builder.Build();
    }

    private static async Task<HealthCheckResult> CheckAsync(IHost host)
    {
        var check = host.Services.GetRequiredService<StuckBusCheck>();
        return await check.CheckHealthAsync(new HealthCheckContext { Registration = new(StuckBusCheck.Name, check, null, null) });
    }
}
