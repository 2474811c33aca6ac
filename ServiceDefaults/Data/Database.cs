using MassTransit;
using Npgsql;

namespace ProMTA.ServiceDefaults.Data;

/// <summary>The service's database: plain connections for reads, units of work for writes.</summary>
public sealed class Database(NpgsqlDataSource dataSource, ServiceSchema schema)
{
    private const string InboxSql = """
        INSERT INTO inbox_messages (message_id, consumer) VALUES (@MessageId, @Consumer)
        ON CONFLICT DO NOTHING
        """;

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken ct = default) => dataSource.OpenConnectionAsync(ct);

    public Task<UnitOfWork> BeginAsync(CancellationToken ct = default) => UnitOfWork.BeginAsync(dataSource, schema, ct);

    /// <summary>
    /// Begins the consumer's transaction with its inbox row. Null when this consumer already handled the message
    /// (a redelivery): the caller returns without doing anything. The inbox row commits with the work, so a
    /// crash before commit lets the redelivery do the work again.
    /// The consume recorder's row for this attempt (Messaging/Flow) joins the transaction: one commit, not two.
    /// </summary>
    public async Task<UnitOfWork?> BeginConsumeAsync<TConsumer>(ConsumeContext context)
    {
        var work = await BeginConsumeAsync(
            context.MessageId ?? throw new InvalidOperationException("A message without a MessageId cannot be deduplicated"),
            typeof(TConsumer).Name, context.CancellationToken);
        if (work is not null && context.TryGetPayload<ICommitParticipant>(out var recording)) work.Join(recording);
        return work;
    }

    public async Task<UnitOfWork?> BeginConsumeAsync(Guid messageId, string consumer, CancellationToken ct)
    {
        var work = await BeginAsync(ct);
        if (await work.ExecuteAsync(InboxSql, new { MessageId = messageId, Consumer = consumer }) == 1)
        {
            return work;
        }
        await work.DisposeAsync();
        return null;
    }
}
