using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ProMTA.ServiceDefaults.Messaging;
using ProMTA.TestKit;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Xunit;

namespace ProMTA.ServiceDefaults.Tests;

public sealed record QuorumProbe(Guid Id);

/// <summary>Fails every message for good, so it lands in the _error queue at once.</summary>
public sealed class RefusingConsumer : IConsumer<QuorumProbe>
{
    public Task Consume(ConsumeContext<QuorumProbe> context) => throw new PermanentMessageException("refused by the test");
}

/// <summary>Messaging:QuorumQueues (set on Kubernetes) against a real RabbitMQ: the queues the services declare.</summary>
public sealed class QuorumQueueTests(PostgresFixture postgres, RabbitMqFixture rabbit)
    : IClassFixture<PostgresFixture>, IClassFixture<RabbitMqFixture>
{
    [Theory]
    [InlineData(true, "quorum")]
    [InlineData(false, "classic")]
    public async Task The_consumer_queue_and_its_error_queue_get_the_configured_type(bool quorumQueues, string expected)
    {
        var service = $"q{Guid.NewGuid():N}"[..12];
        using var host = await StartServiceAsync(service, quorumQueues);
        await host.Services.GetRequiredService<IBus>().Publish(new QuorumProbe(Guid.NewGuid()));

        var queue = new KebabCaseEndpointNameFormatter(service, includeNamespace: false).Consumer<RefusingConsumer>();
        await WaitForMessageAsync($"{queue}_error");

        foreach (var name in new[] { queue, $"{queue}_error" })
        {
            // RabbitMQ refuses to redeclare a queue with other arguments (406 PRECONDITION_FAILED): the type, and for
            // quorum queues the lifted delivery limit, are the ones the queue was made with.
            Assert.True(await DeclaresAsAsync(name, expected), $"{name} is not a {expected} queue");
            Assert.False(await DeclaresAsAsync(name, expected == "quorum" ? "classic" : "quorum"), $"{name} accepted both types");
        }
        await host.StopAsync();
    }

    private async Task<IHost> StartServiceAsync(string service, bool quorumQueues)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration[$"ConnectionStrings:{ServiceDatabaseExtensions.ConnectionName}"] = postgres.ConnectionString;
        builder.Configuration[$"ConnectionStrings:{MessagingExtensions.ConnectionName}"] = rabbit.ConnectionString;
        builder.Configuration[MessagingExtensions.QuorumQueuesKey] = quorumQueues ? "true" : "false";
        builder.AddServiceDatabase(service, typeof(QuorumQueueTests).Assembly);
        builder.AddMessaging(service, bus => bus.AddConsumer<RefusingConsumer>());
        // Publish only once the consumer's queue is bound.
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private async Task WaitForMessageAsync(string queue)
    {
        await using var connection = await rabbit.ConnectAsync();
        for (var attempt = 0; attempt < 150; attempt++)
        {
            await using var channel = await connection.CreateChannelAsync();
            try
            {
                if ((await channel.QueueDeclarePassiveAsync(queue)).MessageCount > 0) return;
            }
            catch (OperationInterruptedException)
            {
                // not declared yet
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"no message reached {queue}");
    }

    private async Task<bool> DeclaresAsAsync(string queue, string type)
    {
        await using var connection = await rabbit.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            var arguments = new Dictionary<string, object?> { ["x-queue-type"] = type };
            // The services lift RabbitMQ 4's default delivery limit of quorum queues; a declaration must say the same.
            if (type == "quorum") arguments["x-delivery-limit"] = -1;
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: arguments);
            return true;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 406)
        {
            return false;
        }
    }
}
