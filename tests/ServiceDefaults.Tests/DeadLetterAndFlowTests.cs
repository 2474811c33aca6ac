using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ProMTA.ServiceDefaults.Messaging;
using ProMTA.ServiceDefaults.Messaging.DeadLetters;
using ProMTA.ServiceDefaults.Messaging.Flow;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.ServiceDefaults.Tests;

public sealed record OrderProbe(Guid OrderId, Guid ServiceId);

/// <summary>What the probe consumer does: refuse for good until fixed, or fail a number of times first.</summary>
public sealed class ProbeBehaviour
{
    public volatile bool Fixed;
    public int TransientFailures;
    public int Consumed;
}

public sealed class ProbeConsumer(ProbeBehaviour behaviour) : IConsumer<OrderProbe>
{
    public Task Consume(ConsumeContext<OrderProbe> context)
    {
        if (!behaviour.Fixed) throw new PermanentMessageException($"no setup for {context.Message.ServiceId} yet");
        if (Interlocked.Decrement(ref behaviour.TransientFailures) >= 0) throw new TimeoutException("the datacenter did not answer");
        Interlocked.Increment(ref behaviour.Consumed);
        return Task.CompletedTask;
    }
}

/// <summary>
/// The consume recorder (each attempt, retries counted, faults kept) and the _error queue reader (list with MassTransit's
/// fault headers, replay to the consumer's queue) against a real RabbitMQ and PostgreSQL, as the services wire them.
/// </summary>
public sealed class DeadLetterAndFlowTests(PostgresFixture postgres, RabbitMqFixture rabbit)
    : IClassFixture<PostgresFixture>, IClassFixture<RabbitMqFixture>
{
    [Fact]
    public async Task A_refused_message_is_listed_with_its_fault_and_consumed_when_replayed_after_the_fix()
    {
        var service = $"d{Guid.NewGuid():N}"[..12];
        var behaviour = new ProbeBehaviour();
        using var host = await StartServiceAsync(service, behaviour);
        var probe = new OrderProbe(Guid.NewGuid(), Guid.NewGuid());
        var messageId = NewId.NextGuid();
        await host.Services.GetRequiredService<IBus>().Publish(probe, c => c.MessageId = messageId);

        var deadLetters = host.Services.GetRequiredService<DeadLetterQueues>();
        var queue = new KebabCaseEndpointNameFormatter(service, includeNamespace: false).Consumer<ProbeConsumer>();
        var listed = await EventuallyAsync(async () => (await deadLetters.ListAsync(default)).SingleOrDefault());
        Assert.Equal(service, listed.Service);
        Assert.Equal(queue, listed.Queue);
        Assert.Equal($"{queue}_error", listed.ErrorQueue);
        Assert.Equal(1, listed.Count);
        var letter = Assert.Single(listed.Messages);
        Assert.Equal(messageId, letter.MessageId);
        Assert.Equal(typeof(PermanentMessageException).FullName, letter.ExceptionType);
        Assert.Equal($"no setup for {probe.ServiceId} yet", letter.ExceptionMessage);
        Assert.Contains(probe.OrderId.ToString(), letter.Body);
        // Listing does not take the message away.
        Assert.Equal(1, (await deadLetters.CountAsync(default))[$"{queue}_error"]);

        var records = host.Services.GetRequiredService<ConsumedMessages>();
        var faulted = Assert.Single(await records.FlowAsync(service, probe.OrderId, Guid.Empty, default), e => e.Kind == FlowEvent.Consumed);
        Assert.Equal(("Faulted", 0, queue, messageId), (faulted.Status, faulted.Retries, faulted.Consumer, faulted.MessageId));
        Assert.Contains("no setup for", faulted.Fault);

        Assert.Null(await deadLetters.ReplayAsync($"{queue}_error", Guid.NewGuid(), default));
        Assert.Null(await deadLetters.ReplayAsync("someone-elses-queue_error", messageId, default));

        // The fix; the replayed message fails twice more (transient, retried) and is then consumed.
        behaviour.TransientFailures = 2;
        behaviour.Fixed = true;
        var replayed = await deadLetters.ReplayAsync($"{queue}_error", messageId, default);
        Assert.Equal(new ReplayResult($"{queue}_error", messageId, queue), replayed);
        await EventuallyAsync(() => Task.FromResult(behaviour.Consumed == 1 ? (object)true : null));
        Assert.Equal(0, (await deadLetters.CountAsync(default))[$"{queue}_error"]);
        Assert.Empty(await deadLetters.ListAsync(default));

        var consumed = await EventuallyAsync(async () =>
            (await records.FlowAsync(service, Guid.Empty, probe.ServiceId, default)).SingleOrDefault(e => e.Status == "Consumed"));
        Assert.Equal(3, consumed.Retries); // refused once, then two transient failures retried, then consumed
        Assert.Contains("TimeoutException", consumed.Fault);
        await host.StopAsync();
    }

    private async Task<IHost> StartServiceAsync(string service, ProbeBehaviour behaviour)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration[$"ConnectionStrings:{ServiceDatabaseExtensions.ConnectionName}"] = postgres.ConnectionString;
        builder.Configuration[$"ConnectionStrings:{MessagingExtensions.ConnectionName}"] = rabbit.ConnectionString;
        builder.AddServiceDatabase(service, typeof(DeadLetterAndFlowTests).Assembly);
        builder.AddMessaging(service, bus => bus.AddConsumer<ProbeConsumer>());
        builder.Services.AddSingleton(behaviour);
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe) where T : class
    {
        for (var attempt = 0; attempt < 150; attempt++)
        {
            if (await probe() is { } found) return found;
            await Task.Delay(200);
        }
        throw new TimeoutException("the expected state was not reached");
    }
}
