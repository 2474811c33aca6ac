using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Configuration;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ProMTA.ServiceDefaults.Messaging.DeadLetters;

/// <summary>
/// Reads and replays this service's _error queues over AMQP (no management plugin needed). Reading takes messages
/// without acknowledging them and closes the channel, which puts them back in their place; a replay publishes the
/// message (without its fault headers) to its consumer's queue with a publisher confirm, then acknowledges it:
/// a crash in between replays it twice, which the consumer's inbox makes harmless.
/// </summary>
public sealed class DeadLetterQueues(IConfiguration configuration, ServiceQueues queues) : IAsyncDisposable
{
    public const int PeekLimit = 20;
    private const int BodyPreviewChars = 4000;

    private readonly SemaphoreSlim connecting = new(1, 1);
    private readonly ConcurrentDictionary<string, byte> existing = new();
    private IConnection? connection;
    private bool probedAll;

    /// <summary>
    /// Depth of every _error queue of this service (0 for one MassTransit has not created yet). Asking RabbitMQ about a
    /// queue that does not exist logs an error there, so after the first round only the queues that exist, or whose
    /// consumer just faulted, are asked about.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> CountAsync(CancellationToken ct)
    {
        var firstRound = !probedAll && queues.Names.Count > 0;
        var counts = queues.ErrorQueues.ToDictionary(q => q, _ => 0L);
        foreach (var errorQueue in counts.Keys.Where(q => firstRound || existing.ContainsKey(q) || queues.RecentlyFaulted(q)).ToList())
        {
            if (await DepthAsync(errorQueue, ct) is { } depth)
            {
                existing[errorQueue] = 0;
                counts[errorQueue] = depth;
            }
            else
            {
                existing.TryRemove(errorQueue, out _);
            }
        }
        probedAll |= firstRound;
        return counts;
    }

    /// <summary>The non-empty _error queues with their first messages.</summary>
    public async Task<IReadOnlyList<DeadLetterQueue>> ListAsync(CancellationToken ct)
    {
        var result = new List<DeadLetterQueue>();
        foreach (var (errorQueue, count) in await CountAsync(ct))
        {
            if (count == 0) continue;
            await using var channel = await (await ConnectAsync(ct)).CreateChannelAsync(cancellationToken: ct);
            var messages = new List<DeadLetter>();
            while (messages.Count < PeekLimit && await channel.BasicGetAsync(errorQueue, autoAck: false, ct) is { } got)
            {
                messages.Add(Describe(got));
            }
            // Closing the channel without acknowledging returns every message to the queue.
            result.Add(new DeadLetterQueue(queues.Service, errorQueue[..^ServiceQueues.ErrorSuffix.Length], errorQueue, count, messages));
        }
        return result;
    }

    /// <summary>Moves one message back to its consumer's queue; null when the queue is not this service's or the message is not in it.</summary>
    public async Task<ReplayResult?> ReplayAsync(string errorQueue, Guid messageId, CancellationToken ct)
    {
        if (!queues.OwnsErrorQueue(errorQueue) || await DepthAsync(errorQueue, ct) is null or 0) return null;
        var target = errorQueue[..^ServiceQueues.ErrorSuffix.Length];
        await using var channel = await (await ConnectAsync(ct)).CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        // Messages taken on the way stay unacknowledged and go back when the channel closes.
        while (await channel.BasicGetAsync(errorQueue, autoAck: false, ct) is { } got)
        {
            if (got.BasicProperties.MessageId != messageId.ToString() && got.BasicProperties.MessageId != messageId.ToString("N")) continue;
            var properties = new BasicProperties(got.BasicProperties)
            {
                Headers = got.BasicProperties.Headers?
                    .Where(h => !h.Key.StartsWith("MT-Fault-", StringComparison.Ordinal) && h.Key != MessageHeaders.Reason && !h.Key.StartsWith("MT-Host-", StringComparison.Ordinal))
                    .ToDictionary(h => h.Key, h => h.Value),
            };
            await channel.BasicPublishAsync(exchange: "", routingKey: target, mandatory: true, basicProperties: properties, body: got.Body, cancellationToken: ct);
            await channel.BasicAckAsync(got.DeliveryTag, multiple: false, ct);
            return new ReplayResult(errorQueue, messageId, target);
        }
        return null;
    }

    /// <summary>The queue's depth; null when it does not exist.</summary>
    private async Task<long?> DepthAsync(string queue, CancellationToken ct)
    {
        // A passive declare of a missing queue closes the channel: one channel per question.
        await using var channel = await (await ConnectAsync(ct)).CreateChannelAsync(cancellationToken: ct);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, ct)).MessageCount;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    /// <summary>Whether RabbitMQ answers this service now: a channel opened and closed on this class's own connection.</summary>
    public async Task<bool> BrokerAnswersAsync(CancellationToken ct)
    {
        try
        {
            await using var channel = await (await ConnectAsync(ct)).CreateChannelAsync(cancellationToken: ct);
            await channel.CloseAsync(ct);
            return true;
        }
        catch (Exception ex) when (ex is BrokerUnreachableException or OperationInterruptedException or AlreadyClosedException or IOException or TimeoutException)
        {
            return false;
        }
    }

    private static DeadLetter Describe(BasicGetResult got)
    {
        var headers = got.BasicProperties.Headers ?? new Dictionary<string, object?>();
        string? Header(string name) => headers.TryGetValue(name, out var value) ? value switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            null => null,
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        } : null;
        var body = Encoding.UTF8.GetString(got.Body.Span);
        return new DeadLetter(
            Guid.TryParse(got.BasicProperties.MessageId, out var id) ? id : null,
            Header(MessageHeaders.FaultMessageType) ?? got.BasicProperties.Type,
            Header(MessageHeaders.FaultConsumerType),
            Header(MessageHeaders.FaultExceptionType),
            Header(MessageHeaders.FaultMessage),
            Header(MessageHeaders.FaultStackTrace),
            DateTimeOffset.TryParse(Header(MessageHeaders.FaultTimestamp), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null,
            int.TryParse(Header(MessageHeaders.FaultRetryCount), CultureInfo.InvariantCulture, out var retries) ? retries : null,
            body.Length > BodyPreviewChars ? body[..BodyPreviewChars] : body);
    }

    private async Task<IConnection> ConnectAsync(CancellationToken ct)
    {
        if (connection is { IsOpen: true }) return connection;
        await connecting.WaitAsync(ct);
        try
        {
            if (connection is { IsOpen: true }) return connection;
            if (connection is not null) await connection.DisposeAsync();
            var factory = new ConnectionFactory
            {
                Uri = new Uri(configuration.GetConnectionString(MessagingExtensions.ConnectionName)
                    ?? throw new InvalidOperationException($"ConnectionStrings:{MessagingExtensions.ConnectionName} is not configured")),
                ClientProvidedName = $"{queues.Service}-dead-letters",
            };
            connection = await factory.CreateConnectionAsync(ct);
            return connection;
        }
        finally
        {
            connecting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (connection is not null) await connection.DisposeAsync();
        connecting.Dispose();
    }
}
