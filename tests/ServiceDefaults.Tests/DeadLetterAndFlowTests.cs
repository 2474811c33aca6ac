using Dapper;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Hosting;
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

public sealed record WorkProbe(Guid OrderId, Guid ServiceId, int MillisecondsAfterCommit);

/// <summary>A consumer with a unit of work, as the services' are; some call out after their commit (Billing's Stripe calls).</summary>
public sealed class WorkProbeConsumer(Database db) : IConsumer<WorkProbe>
{
    public async Task Consume(ConsumeContext<WorkProbe> context)
    {
        await using (var work = await db.BeginConsumeAsync<WorkProbeConsumer>(context))
        {
            if (work is null) return;
            await work.CommitAsync();
        }
        await Task.Delay(context.Message.MillisecondsAfterCommit);
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

    [Fact]
    public async Task A_consumed_message_is_recorded_in_the_transaction_of_the_consumers_work()
    {
        var service = $"w{Guid.NewGuid():N}"[..12];
        using var host = await StartServiceAsync(service, new ProbeBehaviour());
        var probe = new WorkProbe(Guid.NewGuid(), Guid.NewGuid(), MillisecondsAfterCommit: 0);
        var messageId = NewId.NextGuid();
        await host.Services.GetRequiredService<IBus>().Publish(probe, c => c.MessageId = messageId);

        var records = host.Services.GetRequiredService<ConsumedMessages>();
        var consumed = await EventuallyAsync(async () =>
            (await records.FlowAsync(service, probe.OrderId, Guid.Empty, default)).SingleOrDefault(e => e.Kind == FlowEvent.Consumed));
        Assert.Equal(("Consumed", 0, messageId), (consumed.Status, consumed.Retries, consumed.MessageId));
        // The same transaction wrote the inbox row and the record: one commit for the work and the flow view.
        await using var connection = new NpgsqlConnection(postgres.ForSchema(service));
        Assert.True(await connection.ExecuteScalarAsync<bool>("""
            SELECT c.xmin::text = i.xmin::text FROM consumed_messages c JOIN inbox_messages i ON i.message_id = c.message_id
            WHERE c.message_id = @MessageId
            """, new { MessageId = messageId }));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_consumer_that_works_on_after_its_commit_is_recorded_with_its_whole_duration_as_one_attempt()
    {
        var service = $"a{Guid.NewGuid():N}"[..12];
        using var host = await StartServiceAsync(service, new ProbeBehaviour());
        var probe = new WorkProbe(Guid.NewGuid(), Guid.NewGuid(), MillisecondsAfterCommit: 300);
        await host.Services.GetRequiredService<IBus>().Publish(probe);

        var records = host.Services.GetRequiredService<ConsumedMessages>();
        var consumed = await EventuallyAsync(async () => (await records.FlowAsync(service, probe.OrderId, Guid.Empty, default))
            .SingleOrDefault(e => e.Kind == FlowEvent.Consumed && e.DurationMs >= 300));
        Assert.Equal(("Consumed", 0), (consumed.Status, consumed.Retries));
        await host.StopAsync();
    }

    [Fact]
    public async Task Message_history_older_than_the_retention_period_is_deleted_in_batches_and_newer_rows_and_unsent_outbox_kept()
    {
        var service = $"r{Guid.NewGuid():N}"[..12];
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        using var host = await StartServiceAsync(service, new ProbeBehaviour(), builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(time);
            builder.Configuration["Messaging:FlowRetention:Period"] = "30.00:00:00";
            builder.Configuration["Messaging:FlowRetention:BatchSize"] = "2";
        });
        var orderId = Guid.NewGuid();
        var ages = new[] { 400, 90, 31, 30.01, 30.001, 29.99, 1, 0 };
        await using (var connection = new NpgsqlConnection(postgres.ForSchema(service)))
        {
            foreach (var days in ages)
            {
                var at = time.GetUtcNow().AddDays(-days);
                await connection.ExecuteAsync("""
                    INSERT INTO consumed_messages (message_id, consumer, message_type, order_id, first_attempt_at, last_attempt_at,
                                                   duration_ms, attempts, status)
                    VALUES (@Id, 'probe', 'OrderProbe', @OrderId, @At, @At, 1, 1, 'Consumed')
                    """, new { Id = Guid.NewGuid(), OrderId = orderId, At = at });
            }
            // A message first tried long ago but retried (replayed) recently is kept: retention counts from the last attempt.
            await connection.ExecuteAsync("""
                INSERT INTO consumed_messages (message_id, consumer, message_type, order_id, first_attempt_at, last_attempt_at,
                                               duration_ms, attempts, status)
                VALUES (@Id, 'probe', 'OrderProbe', @OrderId, @First, @Last, 1, 3, 'Consumed')
                """, new { Id = Guid.NewGuid(), OrderId = orderId, First = time.GetUtcNow().AddDays(-45), Last = time.GetUtcNow().AddDays(-2) });
            // Inbox and relayed outbox rows by the same clock; an outbox row never relayed stays whatever its age.
            foreach (var days in ages)
            {
                var at = time.GetUtcNow().AddDays(-days);
                await connection.ExecuteAsync("INSERT INTO inbox_messages (message_id, consumer, handled_at) VALUES (@Id, 'retention-probe', @At)",
                    new { Id = Guid.NewGuid(), At = at });
                await connection.ExecuteAsync("""
                    INSERT INTO outbox_messages (id, message_type, body, created_at, sent_at)
                    VALUES (@Id, 'RetentionProbe', '{}', @At, @At)
                    """, new { Id = Guid.NewGuid(), At = at });
            }
            await connection.ExecuteAsync("""
                INSERT INTO outbox_messages (id, message_type, body, created_at) VALUES (@Id, 'RetentionProbe', '{}', @At)
                """, new { Id = Guid.NewGuid(), At = time.GetUtcNow().AddDays(-400) });
        }

        // Five rows are past 30 days and a batch is two: the run must loop over three batches.
        await host.Services.GetServices<IHostedService>().OfType<PeriodicJob>().Single(j => j.GetType().Name == "MessageHistoryRetention").RunOnceAsync(default);

        var records = host.Services.GetRequiredService<ConsumedMessages>();
        var left = (await records.FlowAsync(service, orderId, Guid.Empty, default)).Select(e => Math.Round((time.GetUtcNow() - e.At).TotalDays, 3));
        Assert.Equal([0, 1, 29.99, 45], left.Order());

        await using (var connection = new NpgsqlConnection(postgres.ForSchema(service)))
        {
            var inboxLeft = await connection.QueryAsync<DateTime>("SELECT handled_at FROM inbox_messages WHERE consumer = 'retention-probe'");
            Assert.Equal([0, 1, 29.99], inboxLeft.Select(at => Math.Round((time.GetUtcNow() - at).TotalDays, 3)).Order());
            var outboxLeft = await connection.QueryAsync<(DateTime CreatedAt, DateTime? SentAt)>(
                "SELECT created_at, sent_at FROM outbox_messages WHERE message_type = 'RetentionProbe'");
            Assert.Equal([0, 1, 29.99, 400], outboxLeft.Select(r => Math.Round((time.GetUtcNow() - r.CreatedAt).TotalDays, 3)).Order());
            Assert.Single(outboxLeft, r => r.SentAt is null);
        }

        await using (var connection = new NpgsqlConnection(postgres.ForSchema(service)))
        {
            await connection.OpenAsync();
            // The batch's selection can use the index on last_attempt_at (the table here is too small for the planner to want it).
            await connection.ExecuteAsync("SET enable_seqscan = off");
            var plan = string.Join('\n', await connection.QueryAsync<string>(
                "EXPLAIN SELECT message_id, consumer FROM consumed_messages WHERE last_attempt_at < now() LIMIT 2 FOR UPDATE SKIP LOCKED"));
            Assert.True(plan.Contains("consumed_messages_last_attempt"), plan);
        }
        await host.StopAsync();
    }

    private async Task<IHost> StartServiceAsync(string service, ProbeBehaviour behaviour, Action<HostApplicationBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        configure?.Invoke(builder);
        builder.Configuration[$"ConnectionStrings:{ServiceDatabaseExtensions.ConnectionName}"] = postgres.ConnectionString;
        builder.Configuration[$"ConnectionStrings:{MessagingExtensions.ConnectionName}"] = rabbit.ConnectionString;
        builder.AddServiceDatabase(service, typeof(DeadLetterAndFlowTests).Assembly);
        builder.AddMessaging(service, bus =>
        {
            bus.AddConsumer<ProbeConsumer>();
            bus.AddConsumer<WorkProbeConsumer>();
        });
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
