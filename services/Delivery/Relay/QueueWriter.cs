using System.Runtime.ExceptionServices;
using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Relay;

/// <summary>
/// Group commit for the relay: messages accepted by concurrent sessions are written together, one statement and one
/// commit (one WAL flush) per group instead of per message. Each caller's task completes only once the group holding
/// its message is committed, so every session still answers 250 only for its own durably stored message.
/// </summary>
/// <remarks>
/// No writer thread: the sessions take turns as the group's leader. The session that finds no write running leads: it
/// writes the group headed by its own message (with whatever queued behind it), hands the lead to the first message
/// still waiting, then tells its group. Every session is woken once (stored, or lead), on the thread that committed the
/// group before, instead of a hop to a writer task and another back for each message (issue 19: futex wake-ups were
/// the largest part of Delivery's kernel time). The wake-ups run inline, each only as far as the session's next read.
/// </remarks>
internal sealed partial class QueueWriter(Database db, ILogger<QueueWriter> log)
{
    /// <summary>A group stops growing at this many messages or bytes (one large message is written alone).</summary>
    private const int MaxGroupMessages = 128;
    private const long MaxGroupBytes = 8 * 1024 * 1024;

    private readonly Lock gate = new();
    private readonly Queue<Pending> waiting = new();
    private bool writing;

    private enum Turn { Stored, Lead }

    private sealed class Pending(NewMessage message)
    {
        public NewMessage Message { get; } = message;
        /// <summary>Completed inline (no RunContinuationsAsynchronously): the wake-up is this thread's, not another hop.</summary>
        public TaskCompletionSource<Turn> Turn { get; } = new();
        /// <summary>Set before the turn completes, or before a leader looks at it: why the message was not stored.</summary>
        public Exception? Failure { get; set; }
    }

    /// <summary>Completes when the message is committed; throws when it could not be stored.</summary>
    public async Task StoreAsync(NewMessage message)
    {
        var pending = new Pending(message);
        bool lead;
        lock (gate)
        {
            waiting.Enqueue(pending);
            lead = !writing;
            writing = true;
        }
        if (lead || await pending.Turn.Task == Turn.Lead) await LeadAsync(pending);
        if (pending.Failure is { } failure) ExceptionDispatchInfo.Throw(failure);
    }

    /// <summary>The leader's message heads the queue: it leads when the queue was empty, or the lead passes to the head.</summary>
    private async Task LeadAsync(Pending leader)
    {
        var group = NextGroup();
        try
        {
            await WriteAsync(group);
        }
        catch (Exception ex)
        {
            // Whatever went wrong, the lead still passes on (else every later session waits forever) and no message
            // whose write did not finish is answered 250.
            foreach (var p in group) p.Failure ??= ex;
        }
        Pending? next;
        lock (gate)
        {
            if (!waiting.TryPeek(out next)) writing = false;
        }
        // The next group goes to PostgreSQL before this one's sessions answer: its leader runs here up to its statement.
        next?.Turn.TrySetResult(Turn.Lead);
        foreach (var p in group)
        {
            if (p != leader) p.Turn.TrySetResult(Turn.Stored);
        }
    }

    private List<Pending> NextGroup()
    {
        lock (gate)
        {
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
        }
        catch (Exception ex) when (group.Count > 1)
        {
            // One message must not fail the others: each is tried alone and gets its own outcome.
            LogGroupFailed(ex, group.Count);
            foreach (var p in group) await WriteAsync([p]);
        }
        catch (Exception ex)
        {
            group[0].Failure = ex;
        }
    }

    [LoggerMessage(LogLevel.Warning, "Storing a group of {Count} messages failed; storing them one by one")]
    private partial void LogGroupFailed(Exception ex, int count);
}
