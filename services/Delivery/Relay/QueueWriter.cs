using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Relay;

/// <summary>
/// Group commit for the relay: messages accepted by concurrent sessions are written together, one statement and one
/// commit (one WAL flush) per group instead of per message. Each caller's task completes only once the group holding
/// its message is committed, so every session still answers 250 only for its own durably stored message.
/// </summary>
/// <remarks>
/// No background service: the session that finds no write running starts one, and it drains whatever arrived meanwhile
/// (messages that come in while a group commits form the next group) and ends when nothing is waiting.
/// </remarks>
internal sealed partial class QueueWriter(Database db, ILogger<QueueWriter> log)
{
    /// <summary>A group stops growing at this many messages or bytes (one large message is written alone).</summary>
    private const int MaxGroupMessages = 128;
    private const long MaxGroupBytes = 8 * 1024 * 1024;

    private readonly Lock gate = new();
    private readonly Queue<Pending> waiting = new();
    private bool writing;

    private sealed record Pending(NewMessage Message, TaskCompletionSource Stored);

    /// <summary>Completes when the message is committed; throws when it could not be stored.</summary>
    public Task StoreAsync(NewMessage message)
    {
        var pending = new Pending(message, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        bool start;
        lock (gate)
        {
            waiting.Enqueue(pending);
            start = !writing;
            writing = true;
        }
        if (start) _ = Task.Run(WriteAllAsync);
        return pending.Stored.Task;
    }

    private async Task WriteAllAsync()
    {
        while (NextGroup() is { } group)
        {
            await WriteAsync(group);
        }
    }

    private List<Pending>? NextGroup()
    {
        lock (gate)
        {
            if (waiting.Count == 0)
            {
                writing = false;
                return null;
            }
            var group = new List<Pending>();
            long bytes = 0;
            while (waiting.TryPeek(out var next) && group.Count < MaxGroupMessages && (group.Count == 0 || bytes + next.Message.Data.Length <= MaxGroupBytes))
            {
                group.Add(waiting.Dequeue());
                bytes += next.Message.Data.Length;
            }
            return group;
        }
    }

    private async Task WriteAsync(List<Pending> group)
    {
        try
        {
            // Not cancelled with any one session: the group belongs to all of its callers.
            await MessageQueue.EnqueueAsync(db, [.. group.Select(p => p.Message)], CancellationToken.None);
            foreach (var p in group) p.Stored.TrySetResult();
        }
        catch (Exception ex) when (group.Count > 1)
        {
            // One message must not fail the others: each is tried alone and gets its own outcome.
            LogGroupFailed(ex, group.Count);
            foreach (var p in group) await WriteAsync([p]);
        }
        catch (Exception ex)
        {
            group[0].Stored.TrySetException(ex);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Storing a group of {Count} messages failed; storing them one by one")]
    private partial void LogGroupFailed(Exception ex, int count);
}
