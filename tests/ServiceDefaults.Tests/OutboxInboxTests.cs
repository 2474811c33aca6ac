using System.Diagnostics;
using Dapper;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.ServiceDefaults.Tests;

public sealed record SomethingHappened(Guid Id, string What);

public sealed class OutboxInboxTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task An_event_is_in_the_outbox_only_if_its_transaction_commits()
    {
        await using var service = await ServiceDatabaseHost.StartAsync(postgres, typeof(OutboxInboxTests).Assembly);
        var db = service.Database;
        using var activity = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();

        await using (var rolledBack = await db.BeginAsync())
        {
            await rolledBack.PublishAsync(new SomethingHappened(Guid.NewGuid(), "rolled back"));
        }
        await using (var committed = await db.BeginAsync())
        {
            await committed.PublishAsync(new SomethingHappened(Guid.NewGuid(), "committed"));
            await committed.CommitAsync();
        }

        await using var connection = await db.OpenAsync();
        var rows = (await connection.QueryAsync<(string MessageType, string Body, string TraceParent)>(
            "SELECT message_type, body::text, trace_parent FROM outbox_messages")).ToList();
        var row = Assert.Single(rows);
        Assert.Equal(typeof(SomethingHappened).FullName, row.MessageType);
        Assert.Contains("\"what\":\"committed\"", row.Body.Replace(" ", ""));
        Assert.Equal(activity.Id, row.TraceParent); // the relay continues this trace
    }

    [Fact]
    public async Task A_redelivered_message_is_handled_once()
    {
        await using var service = await ServiceDatabaseHost.StartAsync(postgres, typeof(OutboxInboxTests).Assembly);
        var messageId = Guid.NewGuid();

        await using (var first = await service.Database.BeginConsumeAsync(messageId, "TestConsumer", default))
        {
            Assert.NotNull(first);
            await first.CommitAsync();
        }
        await using var second = await service.Database.BeginConsumeAsync(messageId, "TestConsumer", default);
        Assert.Null(second);
    }

    [Fact]
    public async Task A_crash_before_commit_lets_the_redelivery_do_the_work()
    {
        await using var service = await ServiceDatabaseHost.StartAsync(postgres, typeof(OutboxInboxTests).Assembly);
        var messageId = Guid.NewGuid();

        await using (var crashed = await service.Database.BeginConsumeAsync(messageId, "TestConsumer", default))
        {
            Assert.NotNull(crashed); // disposed without commit, as a crash would leave it
        }
        await using var redelivered = await service.Database.BeginConsumeAsync(messageId, "TestConsumer", default);
        Assert.NotNull(redelivered);
    }
}
